-- The Lua peer of the benchmark (bench/README.md): what an operator of
-- OpenResty (Debian's libnginx-mod-http-lua and lua-cjson) would write to
-- check a listing as passport does, for comparison.  Run from
--
--     access_by_lua_block { require("peer").check() }
--
-- with lua_shared_dict peer_cache and an internal location /_peer_registry/
-- that proxies to the registry over keep-alive connections.
--
-- It does: the body is JSON (cjson); the seller is a Vietnamese tax code
-- (10 digits, or 10 + "-" + 3, weighted check digit); each item's
-- trace_code is a GS1 element string in brackets whose (01) is a GTIN-14
-- with its check digit, whose (17) expiry is not past, and whose other AIs
-- are 1 to 20 printable characters; each origin is 2 letters; then the
-- seller and every distinct code are looked up (shared dict first, else
-- one ngx.location.capture_multi), the answers are cached for an hour, and
-- the cross-checks run: the seller is active, each code is active, owned
-- by the seller or sold by one of its authorized sellers, and from the
-- origin claimed.  A listing that fails is answered 422 with a small JSON
-- list of the reasons.
--
-- It leaves out what passport also does (docs/benchmarks.md): Digital
-- Link URIs and unbracketed element strings, GTIN-8/12/13, opaque codes,
-- assigned-country tables and AI 422, Vietnamese and English problem
-- documents, modes, stale answers, the breaker, lookups shared by
-- concurrent requests, caps, the report log.

local cjson = require "cjson.safe"

local M = {}

local dict = ngx.shared.peer_cache
local TTL = 3600
local W = { 31, 29, 23, 19, 17, 13, 7, 5, 3 }

local function tax_code_ok(s)
    if type(s) ~= "string" then
        return false
    end
    s = s:match("^%s*(.-)%s*$")
    local base = s:match("^(%d%d%d%d%d%d%d%d%d%d)$")
                 or s:match("^(%d%d%d%d%d%d%d%d%d%d)%-%d%d%d$")
    if not base or base:sub(3, 9) == "0000000" then
        return false
    end
    local sum = 0
    for i = 1, 9 do
        sum = sum + (base:byte(i) - 48) * W[i]
    end
    if sum % 11 == 0 then
        return false
    end
    return base:byte(10) - 48 == 10 - sum % 11, s
end

local function gtin_ok(g)
    local sum = 0
    for i = 1, 13 do
        sum = sum + (g:byte(i) - 48) * (i % 2 == 1 and 3 or 1)
    end
    return (10 - sum % 10) % 10 == g:byte(14) - 48
end

local today = nil

local function expired(yymmdd)
    if not today then
        today = os.date("!%y%m%d", ngx.time() + 7 * 3600)
    end
    return yymmdd < today
end

-- "(01)...(21)..." -> "01/GTIN/21/serial" or nil, reason
local function code_key(s)
    if type(s) ~= "string" then
        return nil, "CODE_MISSING"
    end
    local parts, pos = {}, 1
    while pos <= #s do
        local ai, v, nxt = s:match("^%((%d%d%d?%d?)%)([^%(]+)()", pos)
        if not ai then
            return nil, "CODE_MALFORMED"
        end
        if ai == "01" then
            if not v:match("^%d%d%d%d%d%d%d%d%d%d%d%d%d%d$") or not gtin_ok(v)
            then
                return nil, "CODE_CHECK_DIGIT"
            end
        elseif ai == "17" then
            if not v:match("^%d%d%d%d%d%d$") then
                return nil, "CODE_MALFORMED"
            end
            if expired(v) then
                return nil, "CODE_EXPIRED"
            end
        elseif #v > 20 or v:find("[^!-~]") then
            return nil, "CODE_MALFORMED"
        end
        parts[#parts + 1] = ai
        parts[#parts + 1] = v
        pos = nxt
    end
    if parts[1] ~= "01" then
        return nil, "CODE_MALFORMED"
    end
    return table.concat(parts, "/")
end

local function refuse(reasons)
    ngx.status = 422
    ngx.header["Content-Type"] = "application/json"
    ngx.say(cjson.encode({ verdict = "block", reasons = reasons }))
    return ngx.exit(422)
end

-- the cached form: "A" or "I" for an entity; "status|owner|origin|a,b"
-- for a code
local function remember(kind, key, res)
    if res.status ~= 200 then
        return nil
    end
    local r = cjson.decode(res.body)
    if type(r) ~= "table" then
        return nil
    end
    local v
    if kind == "e" then
        v = r.status == "active" and "A" or "I"
    else
        local auth = type(r.authorized_sellers) == "table"
                     and table.concat(r.authorized_sellers, ",") or ""
        v = (r.status == "active" and "A" or "I") .. "|"
            .. tostring(r.owner) .. "|" .. tostring(r.origin) .. "|" .. auth
    end
    dict:set(kind .. key, v, TTL)
    return v
end

local function lookups(keys)
    local answers, reqs, missing = {}, {}, {}
    for i = 1, #keys do
        local k = keys[i]
        local v = dict:get(k)
        if v then
            answers[k] = v
        else
            missing[#missing + 1] = k
            reqs[#reqs + 1] = {
                (k:byte(1) == 101 and "/_peer_registry/entities/"
                                   or "/_peer_registry/codes/") .. k:sub(2)
            }
        end
    end
    if #reqs > 0 then
        local res = { ngx.location.capture_multi(reqs) }
        for i = 1, #res do
            local k = missing[i]
            answers[k] = remember(k:sub(1, 1), k:sub(2), res[i])
        end
    end
    return answers
end

function M.check()
    ngx.req.read_body()
    local body = ngx.req.get_body_data()
    if not body then
        local f = ngx.req.get_body_file()
        if f then
            local fh = io.open(f, "rb")
            body = fh:read("*a")
            fh:close()
        end
    end
    local doc = body and cjson.decode(body)
    if type(doc) ~= "table" then
        return refuse({ "BODY_MALFORMED" })
    end

    local ok, seller = tax_code_ok(doc.seller_id)
    if not ok then
        return refuse({ "SELLER_INVALID" })
    end
    local items = doc.items
    if type(items) ~= "table" or #items == 0 then
        return refuse({ "CODE_MISSING" })
    end

    local keys, seen, codes = { "e" .. seller }, {}, {}
    for i = 1, #items do
        local it = items[i]
        local key, why = code_key(type(it) == "table" and it.trace_code)
        if not key then
            return refuse({ why })
        end
        local origin = it.origin
        if origin ~= nil and (type(origin) ~= "string"
                              or not origin:match("^%a%a$"))
        then
            return refuse({ "ORIGIN_INVALID" })
        end
        codes[i] = { key = "c" .. key, origin = origin }
        if not seen[key] then
            seen[key] = true
            keys[#keys + 1] = "c" .. key
        end
    end

    local a = lookups(keys)
    local reasons = {}
    local e = a["e" .. seller]
    if e == nil then
        reasons[#reasons + 1] = "REGISTRY_UNAVAILABLE"
    elseif e ~= "A" then
        reasons[#reasons + 1] = "SELLER_INACTIVE"
    end
    for i = 1, #codes do
        local c = a[codes[i].key]
        if c == nil then
            reasons[#reasons + 1] = "REGISTRY_UNAVAILABLE"
        else
            local st, owner, origin, auth = c:match("^(%a)|([^|]*)|([^|]*)|(.*)$")
            if st ~= "A" then
                reasons[#reasons + 1] = "CODE_INACTIVE"
            elseif owner ~= seller
                   and not ("," .. auth .. ","):find("," .. seller .. ",", 1, true)
            then
                reasons[#reasons + 1] = "CODE_OWNER_MISMATCH"
            elseif codes[i].origin and codes[i].origin:upper() ~= origin:upper()
            then
                reasons[#reasons + 1] = "ORIGIN_MISMATCH"
            end
        end
    end
    if #reasons > 0 then
        return refuse(reasons)
    end
end

return M
