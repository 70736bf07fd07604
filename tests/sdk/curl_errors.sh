#!/usr/bin/env bash
# Reproduce the error cases of the Conversations API contract (§6.2, except rate
# limiting) against a running `convtui serve`, and print what the server answers.
#
# Not run in CI; it only prints, it does not judge. Usage:
#
#   tests/sdk/curl_errors.sh http://127.0.0.1:8787/v1            # server without --api-key
#   tests/sdk/curl_errors.sh http://127.0.0.1:8787/v1 sk-local   # server with --api-key sk-local
#
# With a key, every request carries "Authorization: Bearer <key>" and the
# no-key / wrong-key rows are shown as well.
#
# Requires: bash, curl, jq.

set -u

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
for tool in curl jq; do
    command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool is required" >&2; exit 2; }
done

BASE="${1%/}"
KEY="${2:-}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

if [[ -t 1 ]]; then
    BOLD=$'\033[1m'; DIM=$'\033[2m'; RED=$'\033[31m'; GREEN=$'\033[32m'; YELLOW=$'\033[33m'; RESET=$'\033[0m'
else
    BOLD=""; DIM=""; RED=""; GREEN=""; YELLOW=""; RESET=""
fi

N=0
REQ_NOTE=""
AUTH_MODE="default"   # default | none | wrong

# call METHOD PATH [curl args...]  -> sets STATUS, writes the body to $TMP/body
call() {
    local method="$1" path="$2"
    shift 2
    local -a auth=()
    case "$AUTH_MODE" in
        default) [[ -n "$KEY" ]] && auth=(-H "Authorization: Bearer $KEY") ;;
        wrong)   auth=(-H "Authorization: Bearer sk-wrong-0000000000000000") ;;
        none)    auth=() ;;
    esac
    STATUS="$(curl -s --max-time 120 -o "$TMP/body" -w '%{http_code}' -X "$method" \
        "${auth[@]}" "$@" "$BASE$path")"
    CURL_RC=$?
}

show_body() {
    if [[ ! -s "$TMP/body" ]]; then
        echo "   ${DIM}(empty body)${RESET}"
    elif jq -c . "$TMP/body" >"$TMP/body.json" 2>/dev/null; then
        sed 's/^/   /' "$TMP/body.json"
    else
        echo "   ${YELLOW}(not JSON)${RESET} $(head -c 300 "$TMP/body" | tr '\n' ' ')"
    fi
}

# row NAME METHOD PATH [curl args...]
row() {
    local name="$1" method="$2" path="$3"
    shift 3
    N=$((N + 1))
    call "$method" "$path" "$@"
    local colour="$GREEN"
    [[ "$STATUS" =~ ^[45] ]] && colour="$YELLOW"
    [[ "$STATUS" =~ ^5 || "$STATUS" == "000" ]] && colour="$RED"
    printf '%s%2d. %s%s\n' "$BOLD" "$N" "$name" "$RESET"
    printf '   %s%s %s%s\n' "$DIM" "$method" "$(pretty_path "$path")" "$RESET"
    if [[ -n "$REQ_NOTE" ]]; then
        printf '   %sbody: %s%s\n' "$DIM" "$REQ_NOTE" "$RESET"
        REQ_NOTE=""
    fi
    if [[ "$CURL_RC" != 0 ]]; then
        printf '   %sHTTP %s (curl exit %s)%s\n' "$colour" "$STATUS" "$CURL_RC" "$RESET"
    else
        printf '   %sHTTP %s%s\n' "$colour" "$STATUS" "$RESET"
    fi
    show_body
    echo
}

json_row() {   # json_row NAME METHOD PATH JSON
    if (( ${#4} > 120 )); then
        REQ_NOTE="${4:0:100}... (${#4} bytes)"
    else
        REQ_NOTE="$4"
    fi
    row "$1" "$2" "$3" -H 'Content-Type: application/json' --data-binary "$4"
}

# Show ids as placeholders so the request lines stay short.
pretty_path() {
    local p="$1"
    [[ -n "${CONV:-}" ]] && p="${p//$CONV/\{conv\}}"
    [[ -n "${ITEM:-}" ]] && p="${p//$ITEM/\{item\}}"
    [[ -n "${UNKNOWN_CONV:-}" ]] && p="${p//$UNKNOWN_CONV/\{unknown_conv\}}"
    [[ -n "${UNKNOWN_ITEM:-}" ]] && p="${p//$UNKNOWN_ITEM/\{unknown_item\}}"
    printf '%s' "$p"
}

section() {
    echo "${BOLD}== $* ==${RESET}"
    echo
}

# ---------------------------------------------------------------------------------
section "setup"
call POST /conversations -H 'Content-Type: application/json' \
    --data-binary '{"metadata":{"title":"curl error cases"},"items":[{"type":"message","role":"user","content":"hello"}]}'
CONV="$(jq -r '.id // empty' "$TMP/body" 2>/dev/null)"
if [[ "$STATUS" != 200 || -z "$CONV" ]]; then
    echo "could not create a conversation (HTTP $STATUS):"
    show_body
    [[ -z "$KEY" && "$STATUS" == 401 ]] && echo "   hint: pass the server's API key as the second argument"
    exit 1
fi
call GET "/conversations/$CONV/items?limit=1&order=asc"
ITEM="$(jq -r '.data[0].id // empty' "$TMP/body" 2>/dev/null)"
echo "   {conv} = $CONV"
echo "   {item} = ${ITEM:-?}"
echo

UNKNOWN_CONV="conv_$(printf '0%.0s' {1..48})"
UNKNOWN_ITEM="msg_$(printf '0%.0s' {1..48})"
echo "   {unknown_conv} = $UNKNOWN_CONV"
echo "   {unknown_item} = $UNKNOWN_ITEM"
echo
K70="$(printf 'k%.0s' {1..70})"
V600="$(printf 'v%.0s' {1..600})"
META17="$(jq -cn '[range(17)] | map({key: "key\(.)", value: "v"}) | from_entries')"
ITEMS21="$(jq -cn '{items: [range(21) | {type: "message", role: "user", content: "item \(.)"}]}')"

# ---------------------------------------------------------------------------------
if [[ -n "$KEY" ]]; then
    section "authentication (401)"
    AUTH_MODE=none
    row "no API key" GET "/conversations/$CONV"
    AUTH_MODE=wrong
    row "wrong API key" GET "/conversations/$CONV"
    AUTH_MODE=default
else
    section "authentication (401)"
    echo "   ${DIM}skipped: no API key given (pass it as the second argument to see the 401 rows)${RESET}"
    echo
fi

# ---------------------------------------------------------------------------------
section "unknown conversation (404)"
row "unknown conversation: retrieve" GET "/conversations/$UNKNOWN_CONV"
json_row "unknown conversation: update" POST "/conversations/$UNKNOWN_CONV" '{"metadata":{"a":"b"}}'
row "unknown conversation: delete" DELETE "/conversations/$UNKNOWN_CONV"
row "unknown conversation: list items" GET "/conversations/$UNKNOWN_CONV/items"
json_row "unknown conversation: create items" POST "/conversations/$UNKNOWN_CONV/items" \
    '{"items":[{"type":"message","role":"user","content":"hi"}]}'
row "unknown conversation: retrieve item" GET "/conversations/$UNKNOWN_CONV/items/${ITEM:-$UNKNOWN_ITEM}"
row "unknown conversation: delete item" DELETE "/conversations/$UNKNOWN_CONV/items/${ITEM:-$UNKNOWN_ITEM}"

section "unknown item in an existing conversation (404)"
row "unknown item: retrieve" GET "/conversations/$CONV/items/$UNKNOWN_ITEM"
row "unknown item: delete" DELETE "/conversations/$CONV/items/$UNKNOWN_ITEM"

# ---------------------------------------------------------------------------------
section "query parameters (400)"
row "limit above maximum (limit=1000)" GET "/conversations/$CONV/items?limit=1000"
row "limit below minimum (limit=0)" GET "/conversations/$CONV/items?limit=0"
row "limit of the wrong type (limit=abc)" GET "/conversations/$CONV/items?limit=abc"
row "invalid order (order=sideways)" GET "/conversations/$CONV/items?order=sideways"
row "unknown include value, bracket style (include[]=bogus.value)" GET \
    "/conversations/$CONV/items?include%5B%5D=bogus.value"
row "unknown include value, repeated style (include=bogus.value)" GET \
    "/conversations/$CONV/items?include=bogus.value"
json_row "unknown include value on create items" POST "/conversations/$CONV/items?include%5B%5D=bogus.value" \
    '{"items":[{"type":"message","role":"user","content":"hi"}]}'
row "unknown include value on retrieve item" GET "/conversations/$CONV/items/${ITEM:-$UNKNOWN_ITEM}?include%5B%5D=bogus.value"

# ---------------------------------------------------------------------------------
section "request bodies (400)"
json_row "malformed JSON" POST /conversations '{"metadata": {"title": "unterminated"'
REQ_NOTE='{"metadata":{"title":"x"}}  (Content-Type: text/plain)'
row "wrong Content-Type (text/plain with a JSON body)" POST /conversations \
    -H 'Content-Type: text/plain' --data-binary '{"metadata":{"title":"x"}}'
json_row "body is not an object (JSON array)" POST /conversations '[1,2,3]'
json_row "unknown body field on create conversation" POST /conversations '{"metadata":{},"colour":"blue"}'
json_row "unknown body field on create items" POST "/conversations/$CONV/items" \
    '{"items":[{"type":"message","role":"user","content":"hi"}],"stream":true}'
json_row "unknown body field on update" POST "/conversations/$CONV" '{"metadata":{"a":"b"},"title":"x"}'
json_row "missing required parameter: items (create items)" POST "/conversations/$CONV/items" '{}'
json_row "missing required parameter: metadata (update)" POST "/conversations/$CONV" '{}'
json_row "empty items array (create items)" POST "/conversations/$CONV/items" '{"items":[]}'
json_row "wrong JSON type: metadata is a string" POST /conversations '{"metadata":"topic=demo"}'
json_row "wrong JSON type: metadata value is an integer" POST /conversations '{"metadata":{"topic":5}}'
json_row "wrong JSON type: items is a string (create items)" POST "/conversations/$CONV/items" '{"items":"hello"}'
json_row "wrong JSON type: message content is a number" POST "/conversations/$CONV/items" \
    '{"items":[{"type":"message","role":"user","content":42}]}'
json_row "item missing role" POST "/conversations/$CONV/items" '{"items":[{"type":"message","content":"hi"}]}'
json_row "more than 20 items (21) on create items" POST "/conversations/$CONV/items" "$ITEMS21"
json_row "more than 20 items (21) on create conversation" POST /conversations "$ITEMS21"

section "metadata limits (400)"
json_row "metadata with 17 pairs (create)" POST /conversations "{\"metadata\":$META17}"
json_row "metadata with 17 pairs (update)" POST "/conversations/$CONV" "{\"metadata\":$META17}"
json_row "metadata key of 70 characters" POST /conversations "{\"metadata\":{\"$K70\":\"v\"}}"
json_row "metadata value of 600 characters" POST /conversations "{\"metadata\":{\"topic\":\"$V600\"}}"
json_row "metadata value of 600 characters (update)" POST "/conversations/$CONV" "{\"metadata\":{\"topic\":\"$V600\"}}"

# ---------------------------------------------------------------------------------
section "oversized body"
{
    printf '{"items":[{"type":"message","role":"user","content":"'
    head -c $((20 * 1024 * 1024)) /dev/zero | tr '\0' 'a'
    printf '"}]}'
} >"$TMP/big.json"
row "20 MB request body (create items)" POST "/conversations/$CONV/items" \
    -H 'Content-Type: application/json' --data-binary "@$TMP/big.json"
rm -f "$TMP/big.json"

# ---------------------------------------------------------------------------------
section "deleted conversation (404, delete is not idempotent)"
row "delete conversation (expected 200)" DELETE "/conversations/$CONV"
row "retrieve after delete" GET "/conversations/$CONV"
row "delete again" DELETE "/conversations/$CONV"
row "list items after delete" GET "/conversations/$CONV/items"

echo "${DIM}$N requests sent to $BASE${RESET}"
