#!/usr/bin/env python3
"""Check a running `convtui serve` with the official `openai` Python SDK.

Not run in CI. Usage:

    python3 -m venv .venv && .venv/bin/pip install openai
    convtui serve --port 8787 [--api-key sk-local] &
    .venv/bin/python tests/sdk/openai_sdk_check.py http://127.0.0.1:8787/v1 [--expect-auth]

The API key comes from CONVTUI_CHECK_KEY (default "sk-local"). Pass --expect-auth
only when the server was started with --api-key; the script then also checks that a
wrong key is rejected with AuthenticationError.

Every SDK call on the Conversations API is exercised:
conversations.create / retrieve / update / delete and
conversations.items.create / list / retrieve / delete.
One line is printed per check; the exit status is 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any, Callable, List, Optional

from openai import AuthenticationError, BadRequestError, NotFoundError, OpenAI

TOTAL_ADDED = 130  # items added after creation, in chunks of CHUNK
CHUNK = 20
SEED_TEXTS = ["seed-0: hello", "seed-1: a second seed message"]


class Checker:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def ok(self, name: str, detail: str = "") -> None:
        self.passed += 1
        print(f"PASS  {name}" + (f"  ({detail})" if detail else ""), flush=True)

    def fail(self, name: str, detail: str) -> None:
        self.failed += 1
        print(f"FAIL  {name}: {detail}", flush=True)

    def skip(self, name: str, detail: str) -> None:
        print(f"SKIP  {name}  ({detail})", flush=True)

    def run(self, name: str, fn: Callable[[], Optional[str]]) -> bool:
        """Run one check; fn returns an optional detail string or raises."""
        try:
            detail = fn()
        except AssertionError as e:
            self.fail(name, str(e) or "assertion failed")
            return False
        except Exception as e:  # noqa: BLE001 - report anything unexpected as a failure
            self.fail(name, f"{type(e).__name__}: {e}")
            if os.environ.get("CONVTUI_CHECK_TRACE"):
                traceback.print_exc()
            return False
        self.ok(name, detail or "")
        return True

    def expect_error(self, name: str, exc_type: type, fn: Callable[[], Any],
                     code: Optional[str] = None, param: Optional[str] = None,
                     contains: Optional[str] = None) -> None:
        """Expect fn() to raise exc_type; optionally check the error's code, param and message."""
        try:
            fn()
        except exc_type as e:
            problems = []
            if code is not None and getattr(e, "code", None) != code:
                problems.append(f"code={getattr(e, 'code', None)!r}, expected {code!r}")
            if param is not None and getattr(e, "param", None) != param:
                problems.append(f"param={getattr(e, 'param', None)!r}, expected {param!r}")
            if getattr(e, "type", None) != "invalid_request_error":
                problems.append(f"type={getattr(e, 'type', None)!r}, expected 'invalid_request_error'")
            if contains is not None and contains not in str(getattr(e, "message", "")):
                problems.append(f"message does not mention {contains!r}")
            if problems:
                self.fail(name, f"{exc_type.__name__} raised but " + "; ".join(problems))
            else:
                status = getattr(e, "status_code", "?")
                body = getattr(e, "body", None)
                msg = body.get("message") if isinstance(body, dict) else None
                self.ok(name, f"{exc_type.__name__} {status}: {msg or getattr(e, 'message', e)}"[:160])
            return
        except Exception as e:  # noqa: BLE001
            self.fail(name, f"expected {exc_type.__name__}, got {type(e).__name__}: {e}"[:300])
            return
        self.fail(name, f"expected {exc_type.__name__}, but the call succeeded")


def marker(item: Any) -> str:
    """A stable label for an item we created: message text or call_id."""
    if item.type == "message":
        content = item.content
        assert isinstance(content, list) and content, f"message {item.id} has no content parts"
        return getattr(content[0], "text", None) or ""
    if item.type in ("function_call", "function_call_output"):
        return f"{item.type}:{item.call_id}"
    return f"{item.type}:{item.id}"


def make_item(n: int) -> dict:
    """Item number n of the TOTAL_ADDED items: mostly messages, some tool calls."""
    if n % 10 == 4:
        return {"type": "function_call", "call_id": f"call_chk_{n:03d}", "name": "lookup",
                "arguments": json.dumps({"n": n, "filters": {"tags": ["a", "b"], "limit": 3}}),
                "status": "completed"}
    if n % 10 == 5:
        return {"type": "function_call_output", "call_id": f"call_chk_{n - 1:03d}",
                "output": json.dumps({"result": n * n}), "status": "completed"}
    role = "user" if n % 2 == 0 else "assistant"
    if role == "assistant" and n % 3 == 0:
        # explicit content parts for some assistant messages
        return {"type": "message", "role": "assistant",
                "content": [{"type": "output_text", "text": f"item-{n:03d}", "annotations": []}]}
    return {"type": "message", "role": role, "content": f"item-{n:03d}"}


def expected_marker(n: int) -> str:
    it = make_item(n)
    if it["type"] == "message":
        return f"item-{n:03d}"
    return f"{it['type']}:{it['call_id']}"


def main() -> int:
    ap = argparse.ArgumentParser(description="Exercise a running convtui server with the openai SDK.")
    ap.add_argument("base_url", help="server base URL including /v1, e.g. http://127.0.0.1:8787/v1")
    ap.add_argument("--expect-auth", action="store_true",
                    help="the server was started with --api-key: also check that a wrong key is rejected")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request timeout in seconds")
    args = ap.parse_args()

    key = os.environ.get("CONVTUI_CHECK_KEY", "sk-local")
    client = OpenAI(base_url=args.base_url, api_key=key, max_retries=0, timeout=args.timeout)
    c = Checker()
    state: dict = {}
    print(f"server: {args.base_url}")

    # --- conversations.create -------------------------------------------------------
    meta = {"title": "SDK check", "topic": "testing", "run": "1"}

    def create() -> str:
        conv = client.conversations.create(
            metadata=meta,
            items=[{"type": "message", "role": "user", "content": SEED_TEXTS[0]},
                   {"type": "message", "role": "user",
                    "content": [{"type": "input_text", "text": SEED_TEXTS[1]}]}],
        )
        assert conv.object == "conversation", f"object={conv.object!r}"
        assert conv.id, "empty id"
        assert isinstance(conv.created_at, int) and conv.created_at > 0, f"created_at={conv.created_at!r}"
        assert conv.metadata == meta, f"metadata={conv.metadata!r}"
        state["conv"] = conv
        return f"id={conv.id}"

    if not c.run("conversations.create(metadata=, items=)", create):
        print("cannot continue without a conversation")
        return 1
    conv_id = state["conv"].id

    def create_empty() -> str:
        conv = client.conversations.create()
        assert conv.object == "conversation"
        assert conv.metadata in ({}, None), f"metadata={conv.metadata!r}"
        client.conversations.delete(conv.id)
        return f"id={conv.id}, metadata={conv.metadata!r}"

    c.run("conversations.create() with no body fields", create_empty)

    # --- conversations.retrieve / update ---------------------------------------------
    def retrieve() -> str:
        conv = client.conversations.retrieve(conv_id)
        assert conv.id == conv_id and conv.object == "conversation"
        assert conv.created_at == state["conv"].created_at, "created_at changed"
        assert conv.metadata == meta, f"metadata={conv.metadata!r}"
        return ""

    c.run("conversations.retrieve", retrieve)

    new_meta = {"title": "SDK check (renamed)", "owner": "qa"}

    def update() -> str:
        conv = client.conversations.update(conv_id, metadata=new_meta)
        assert conv.id == conv_id and conv.object == "conversation"
        assert conv.metadata == new_meta, f"update returned metadata={conv.metadata!r}"
        again = client.conversations.retrieve(conv_id)
        assert again.metadata == new_meta, f"retrieve after update: metadata={again.metadata!r} (replace expected)"
        return "metadata replaced"

    c.run("conversations.update(metadata=)", update)

    # --- conversations.items.create: 130 items in chunks of 20 -------------------------
    created_ids: List[str] = []

    def add_items() -> str:
        n = 0
        chunks = 0
        while n < TOTAL_ADDED:
            batch = [make_item(i) for i in range(n, min(n + CHUNK, TOTAL_ADDED))]
            res = client.conversations.items.create(conv_id, items=batch)
            assert res.object == "list", f"object={res.object!r}"
            assert len(res.data) == len(batch), f"chunk {chunks}: {len(res.data)} items returned for {len(batch)}"
            got = [marker(it) for it in res.data]
            want = [expected_marker(i) for i in range(n, n + len(batch))]
            assert got == want, f"chunk {chunks}: returned order {got[:3]}... != request order {want[:3]}..."
            assert res.has_more is False, f"chunk {chunks}: has_more={res.has_more!r}"
            assert res.first_id == res.data[0].id and res.last_id == res.data[-1].id, \
                f"chunk {chunks}: first_id/last_id do not match data"
            for it in res.data:
                assert it.id, "created item without id"
            created_ids.extend(it.id for it in res.data)
            n += len(batch)
            chunks += 1
        assert len(set(created_ids)) == len(created_ids), "duplicate ids among created items"
        return f"{len(created_ids)} items in {chunks} calls"

    c.run(f"conversations.items.create x{(TOTAL_ADDED + CHUNK - 1) // CHUNK} (chunks of {CHUNK})", add_items)

    expected_asc = list(SEED_TEXTS) + [expected_marker(i) for i in range(TOTAL_ADDED)]

    def list_all(order: str, limit: Optional[int]) -> tuple:
        kwargs: dict = {"order": order}
        if limit is not None:
            kwargs["limit"] = limit
        first = client.conversations.items.list(conv_id, **kwargs)
        pages = 0
        items: list = []
        for page in first.iter_pages():
            pages += 1
            if limit is not None:
                assert len(page.data) <= limit, f"page {pages} has {len(page.data)} > limit {limit} items"
            items.extend(page.data)
            assert pages <= len(expected_asc) + 2, "pagination does not terminate"
        return items, pages

    def check_listing(order: str, limit: Optional[int]) -> Callable[[], str]:
        def run() -> str:
            items, pages = list_all(order, limit)
            ids = [it.id for it in items]
            assert len(ids) == len(set(ids)), f"{len(ids) - len(set(ids))} duplicate ids across pages"
            assert len(items) == len(expected_asc), f"got {len(items)} items, expected {len(expected_asc)}"
            got = [marker(it) for it in items]
            want = expected_asc if order == "asc" else list(reversed(expected_asc))
            if got != want:
                i = next(k for k, (a, b) in enumerate(zip(got, want)) if a != b)
                raise AssertionError(f"order differs at position {i}: {got[i]!r} != {want[i]!r}")
            tail = ids[len(SEED_TEXTS):] if order == "asc" else list(reversed(ids))[len(SEED_TEXTS):]
            if created_ids:
                assert tail == created_ids, "listed ids differ from the ids returned by items.create"
            min_pages = -(-len(expected_asc) // (limit or 20))
            assert pages >= min_pages, f"only {pages} pages for limit {limit}"
            return f"{len(items)} items, {pages} pages"
        return run

    c.run("conversations.items.list order=asc limit=100 (auto-paging)", check_listing("asc", 100))
    c.run("conversations.items.list order=desc limit=100 (auto-paging)", check_listing("desc", 100))
    c.run("conversations.items.list order=asc limit=7 (auto-paging)", check_listing("asc", 7))
    c.run("conversations.items.list order=desc, default limit (auto-paging)", check_listing("desc", None))

    def default_order() -> str:
        page = client.conversations.items.list(conv_id, limit=5)
        got = [marker(it) for it in page.data]
        want = list(reversed(expected_asc))[:5]
        assert got == want, f"default order is not desc: {got}"
        assert page.has_more is True, f"has_more={page.has_more!r}"
        return "newest first"

    c.run("conversations.items.list default order is desc", default_order)

    def list_include() -> str:
        page = client.conversations.items.list(
            conv_id, limit=3, order="asc",
            include=["message.input_image.image_url", "message.output_text.logprobs"])
        assert len(page.data) == 3
        return "include[] accepted"

    c.run("conversations.items.list include=[...]", list_include)

    # --- conversations.items.retrieve ------------------------------------------------
    def retrieve_item() -> str:
        assert created_ids, "no created items"
        item_id = created_ids[0]  # item-000, posted with string content
        it = client.conversations.items.retrieve(item_id, conversation_id=conv_id)
        assert it.id == item_id and it.type == "message", f"got {it.type} {it.id}"
        assert it.role == "user"
        assert isinstance(it.content, list) and len(it.content) == 1, f"content={it.content!r}"
        part = it.content[0]
        assert part.type == "input_text" and part.text == "item-000", \
            f"string content not normalised to input_text: {part!r}"
        fc_id = created_ids[4]
        fc = client.conversations.items.retrieve(fc_id, conversation_id=conv_id)
        assert fc.type == "function_call" and fc.call_id == "call_chk_004" and fc.name == "lookup"
        assert json.loads(fc.arguments)["filters"]["limit"] == 3, "arguments not stored verbatim"
        return f"{item_id}, {fc_id}"

    c.run("conversations.items.retrieve(item_id, conversation_id=)", retrieve_item)

    # --- conversations.items.delete -> Conversation ---------------------------------------
    def delete_item() -> str:
        victim = created_ids[10]
        res = client.conversations.items.delete(victim, conversation_id=conv_id)
        assert type(res).__name__ == "Conversation", f"returned {type(res).__name__}"
        assert res.object == "conversation" and res.id == conv_id, f"object={res.object!r} id={res.id!r}"
        items, _ = list_all("asc", 100)
        assert len(items) == len(expected_asc) - 1, f"{len(items)} items after delete"
        assert victim not in {it.id for it in items}, "deleted item still listed"
        state["deleted_item"] = victim
        return f"deleted {victim}; returned the parent conversation"

    c.run("conversations.items.delete(item_id, conversation_id=)", delete_item)

    # --- typed errors ------------------------------------------------------------------
    unknown_conv = "conv_" + "0" * 48
    c.expect_error("NotFoundError: retrieve unknown conversation", NotFoundError,
                   lambda: client.conversations.retrieve(unknown_conv), contains=unknown_conv)
    c.expect_error("NotFoundError: items.list on unknown conversation", NotFoundError,
                   lambda: client.conversations.items.list(unknown_conv, limit=5))
    c.expect_error("NotFoundError: retrieve unknown item", NotFoundError,
                   lambda: client.conversations.items.retrieve("msg_" + "0" * 48, conversation_id=conv_id))
    if "deleted_item" in state:
        c.expect_error("NotFoundError: retrieve deleted item", NotFoundError,
                       lambda: client.conversations.items.retrieve(state["deleted_item"], conversation_id=conv_id))
    c.expect_error("BadRequestError: items.list limit=1000", BadRequestError,
                   lambda: client.conversations.items.list(conv_id, limit=1000),
                   code="integer_above_max_value", param="limit")
    c.expect_error("BadRequestError: items.list limit=0", BadRequestError,
                   lambda: client.conversations.items.list(conv_id, limit=0),
                   code="integer_below_min_value", param="limit")
    seventeen = {f"k{i:02d}": "v" for i in range(17)}
    c.expect_error("BadRequestError: create with 17 metadata pairs", BadRequestError,
                   lambda: client.conversations.create(metadata=seventeen),
                   code="object_above_max_properties", param="metadata")
    c.expect_error("BadRequestError: update with 17 metadata pairs", BadRequestError,
                   lambda: client.conversations.update(conv_id, metadata=seventeen),
                   code="object_above_max_properties", param="metadata")
    c.expect_error("BadRequestError: items.create with 21 items", BadRequestError,
                   lambda: client.conversations.items.create(conv_id, items=[make_item(0)] * 21),
                   code="array_above_max_length", param="items")

    def metadata_unchanged() -> str:
        conv = client.conversations.retrieve(conv_id)
        assert conv.metadata == new_meta, f"rejected update changed metadata to {conv.metadata!r}"
        return ""

    c.run("rejected update left metadata unchanged", metadata_unchanged)

    if args.expect_auth:
        bad = OpenAI(base_url=args.base_url, api_key=key + "-wrong", max_retries=0, timeout=args.timeout)
        c.expect_error("AuthenticationError: wrong API key", AuthenticationError,
                       lambda: bad.conversations.retrieve(conv_id))
        c.expect_error("AuthenticationError: wrong API key on items.list", AuthenticationError,
                       lambda: bad.conversations.items.list(conv_id))
    else:
        c.skip("AuthenticationError: wrong API key", "pass --expect-auth if the server has --api-key")

    # --- conversations.delete ----------------------------------------------------------
    def delete_conv() -> str:
        res = client.conversations.delete(conv_id)
        assert res.id == conv_id, f"id={res.id!r}"
        assert res.object == "conversation.deleted", f"object={res.object!r}"
        assert res.deleted is True, f"deleted={res.deleted!r}"
        return ""

    c.run("conversations.delete", delete_conv)
    c.expect_error("NotFoundError: retrieve after delete", NotFoundError,
                   lambda: client.conversations.retrieve(conv_id))
    c.expect_error("NotFoundError: delete again", NotFoundError,
                   lambda: client.conversations.delete(conv_id))
    c.expect_error("NotFoundError: items.list after delete", NotFoundError,
                   lambda: client.conversations.items.list(conv_id))

    print(f"\n{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
