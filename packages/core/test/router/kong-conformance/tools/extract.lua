-- Runs one of Kong's router spec files under LuaJIT with busted, the router, the Admin API and the
-- proxy client replaced by recorders, and prints one JSON line per `it(...)`: the routes each router
-- was built with, every request made, and what the test asserted about each answer. Nothing of Kong
-- runs; the output is data for build.mjs. Usage (see ../README.md):
--   luajit extract.lua <kong checkout> <spec path inside it> unit|integration > cases.jsonl

local KONG, SPEC, KIND = arg[1], arg[2], arg[3]
package.path = KONG .. "/?.lua;" .. KONG .. "/?/init.lua;" .. package.path

------------------------------------------------------------------------------------------------ json
local NULL = setmetatable({}, { __tostring = function() return "null" end })
local json
local function is_array(t)
  local n = 0
  for k in pairs(t) do
    if type(k) ~= "number" then return false end
    n = n + 1
  end
  return n > 0 and n == #t
end
local function quote(s)
  return '"' .. s:gsub('[%c"\\\128-\255]', function(c)
    local b = c:byte()
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" end
    if b >= 128 then return string.format("\\u00%02x", b) end
    return string.format("\\u%04x", b)
  end) .. '"'
end
json = function(v)
  local t = type(v)
  if v == nil or v == NULL then return "null" end
  if t == "boolean" or t == "number" then return tostring(v) end
  if t == "string" then return quote(v) end
  if t == "table" then
    if rawget(v, "__rec") then return json({ __recorder = rawget(v, "__path") }) end
    if next(v) == nil then return "{}" end
    local out = {}
    if is_array(v) then
      for i = 1, #v do out[i] = json(v[i]) end
      return "[" .. table.concat(out, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do
      if type(k) == "string" or type(k) == "number" then keys[#keys + 1] = k end
    end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do
      local val = v[k]
      if type(val) ~= "function" and type(val) ~= "userdata" then
        out[#out + 1] = quote(tostring(k)) .. ":" .. json(val)
      end
    end
    return "{" .. table.concat(out, ",") .. "}"
  end
  return quote(tostring(v))
end

local function deep_copy(v, seen)
  if type(v) ~= "table" or v == NULL then return v end
  seen = seen or {}
  if seen[v] then return seen[v] end
  local out = {}
  seen[v] = out
  for k, x in pairs(v) do out[deep_copy(k, seen)] = deep_copy(x, seen) end
  return setmetatable(out, getmetatable(v))
end

------------------------------------------------------------------------------------------- recording
local all_routers = {}  -- every router built, as the routes it was given
local current          -- the `it` being run: { describe = {...}, it = "...", routers = {}, requests = {} }
local path_stack = {}
local id_seq = 0

local function new_id(prefix)
  id_seq = id_seq + 1
  return string.format("%s-%04d", prefix, id_seq)
end

-- A recorder stands for an answer the test inspects: each field access makes a deeper recorder.
local Rec = {}
Rec.__index = function(self, k)
  local p = {}
  for i, x in ipairs(rawget(self, "__path")) do p[i] = x end
  p[#p + 1] = k
  return setmetatable({ __rec = true, __req = rawget(self, "__req"), __path = p }, Rec)
end
Rec.__call = function(self) return self end
Rec.__concat = function(a, b) return tostring(a) .. tostring(b) end
Rec.__tostring = function() return "<recorder>" end
Rec.__len = function() return 0 end

local function is_rec(v) return type(v) == "table" and rawget(v, "__rec") == true end

local function answer(request)
  if not current then return nil end
  if request.router then current.routers[tostring(request.router)] = all_routers[request.router] end
  current.requests[#current.requests + 1] = request
  request.index = #current.requests
  request.checks = {}
  return setmetatable({ __rec = true, __req = request, __path = {} }, Rec)
end

-- A reference to a route the test built: by identity, id, or equal contents.
local route_refs = setmetatable({}, { __mode = "k" })
local function describe_expected(v)
  if type(v) == "table" and route_refs[v] then return { __route = route_refs[v] } end
  if type(v) == "table" and not is_rec(v) then return deep_copy(v) end
  return v
end

local function check(op, actual, expected, extra)
  if not current then return end
  if is_rec(actual) then
    local req = rawget(actual, "__req")
    req.checks[#req.checks + 1] = { op = op, path = rawget(actual, "__path"), expected = describe_expected(expected), extra = extra }
  elseif type(actual) == "string" and op == "matches" and type(expected) == "string" then
    current.notes[#current.notes + 1] = { op = op, pattern = expected, subject = actual }
  end
end

--------------------------------------------------------------------------------------- luassert stub
local function chain()
  local c
  c = setmetatable({}, { __index = function() return c end, __call = function() return c end })
  return c
end

local assert_t = {}
local function truthy(v) check("truthy", v) return v end
local function falsy(v) check("falsy", v) return v end
assert_t.same = function(e, a) check("same", a, e) end
assert_t.are = { same = assert_t.same, equal = function(e, a) check("equal", a, e) end }
assert_t.equal = function(e, a) check("equal", a, e) end
assert_t.equals = assert_t.equal
assert_t.is_nil = function(a) check("is_nil", a) end
assert_t.is_not_nil = function(a) check("truthy", a) end
assert_t.not_nil = assert_t.is_not_nil
assert_t.truthy = truthy
assert_t.is_truthy = truthy
assert_t.falsy = falsy
assert_t.is_falsy = falsy
assert_t.is_table = function(a) check("truthy", a) end
assert_t.matches = function(pattern, a, init, plain) check("matches", a, pattern, { plain = plain }) end
assert_t.not_matches = function(pattern, a, init, plain) check("not_matches", a, pattern, { plain = plain }) end
assert_t.res_status = function(status, res) check("status", res, status) return setmetatable({ __rec = true, __req = is_rec(res) and rawget(res, "__req") or {checks={}}, __path = { "body" } }, Rec) end
assert_t.response = function(res)
  local has_status = function(status) return assert_t.res_status(status, res) end
  local jsonbody = function() return setmetatable({ __rec = true, __req = is_rec(res) and rawget(res, "__req") or { checks = {} }, __path = { "body" } }, Rec) end
  return { has_status = has_status, has = { status = has_status, jsonbody = jsonbody }, status = has_status, jsonbody = jsonbody }
end
assert_t.spy = function() return chain() end
assert_t.error_matches = function() end
assert_t.has_error = function() end
assert_t.error = function() end
assert_t.is_true = function() end
assert_t.is_false = function() end
setmetatable(assert_t, {
  __call = function(_, v, ...)
    if is_rec(v) then check("truthy", v) end
    return v, ...
  end,
  __index = function() return function() end end,
})
_G.assert = assert_t
_G.spy = { on = function() return chain() end, new = function() return chain() end }
_G.stub = _G.spy.on
_G.mock = function(x) return x end
_G.match = chain()

------------------------------------------------------------------------------------------ ngx stubs
_G.ngx = {
  null = NULL, log = function() end, ERR = 4, WARN = 5, INFO = 7, DEBUG = 8,
  config = { subsystem = "http" }, re = {}, sleep = function() end, ctx = {}, var = {}, header = {},
  req = {}, socket = { tcp = function() return chain() end }, thread = { spawn = function() return chain() end, wait = function() return false end },
  update_time = function() end, now = function() return 0 end, worker = { id = function() return 0 end },
}
_G.kong = { configuration = {} }
_G.unpack = _G.unpack or table.unpack

----------------------------------------------------------------------------------- router recorder
local function snapshot_routes(cases)
  local out = {}
  for i, c in ipairs(cases) do
    route_refs[c.route or {}] = { router = #all_routers + 1, index = i }
    out[i] = { route = deep_copy(c.route), service = deep_copy(c.service) }
  end
  return out
end

local function router_recorder(cases)
  if type(cases) ~= "table" then error("expected arg #1 routes to be a table") end
  for _, c in ipairs(cases) do
    if c.route and c.route.id == nil then return nil, "could not categorize route" end
  end
  local snap = snapshot_routes(cases)
  all_routers[#all_routers + 1] = { routes = snap }
  local router_index = #all_routers
  local ngx_mock
  local r = {}
  function r:select(method, uri, host, scheme, src_ip, src_port, dst_ip, dst_port, sni, headers, queries)
    return answer({ kind = "select", router = router_index, method = method, uri = uri, host = host,
      scheme = scheme, sni = sni, headers = deep_copy(headers), queries = deep_copy(queries),
      src_ip = src_ip, src_port = src_port, dst_ip = dst_ip, dst_port = dst_port })
  end
  function r:exec(ctx)
    local m = ngx_mock or {}
    local req = m.req or {}
    local var = m.var or {}
    local headers = req.get_headers and req.get_headers() or {}
    local plain = {}
    for k, v in pairs(headers) do plain[k] = v end
    return answer({ kind = "exec", router = router_index, method = req.get_method and req.get_method() or "GET",
      uri = (ctx and ctx.request_uri) or var.request_uri, headers = deep_copy(plain),
      server_port = rawget(var, "server_port") or var.server_port, scheme = (ctx and ctx.scheme) or var.scheme })
  end
  r._set_ngx = function(mock) ngx_mock = mock end
  return r
end

local Router = { new = function(cases, ...) return router_recorder(cases, ...) end }

------------------------------------------------------------------------- integration-spec recorders
local integration_routes        -- routes inserted since the last reset, in order
local function bp_insert_route(route)
  route = deep_copy(route)
  route.id = route.id or new_id("route")
  integration_routes[#integration_routes + 1] = route
  route_refs[route] = { inserted = #integration_routes }
  return route
end
local function bp_insert_service(service)
  service = deep_copy(service or {})
  service.id = service.id or new_id("service")
  service.name = service.name or service.id
  return service
end
local function remove_route(_, key)
  for i, r in ipairs(integration_routes or {}) do
    if r.id == key.id then table.remove(integration_routes, i) return end
  end
end
local function dao()
  return setmetatable({
    insert = function(_, e) return e end, remove = function() end, truncate = function() end,
    update = function(_, _, e) return e end, delete = function() end,
  }, { __index = function() return function() end end })
end
local bp = setmetatable({
  routes = setmetatable({ insert = function(_, r) return bp_insert_route(r) end }, { __index = dao() }),
  services = setmetatable({ insert = function(_, s) return bp_insert_service(s) end }, { __index = dao() }),
  named_services = setmetatable({ insert = function(_, s) return bp_insert_service(s) end }, { __index = dao() }),
}, { __index = function(_, k) if k ~= "done" then return dao() end end })

local function send(client_kind)
  return function(self, opts, more)
    if type(opts) == "string" then
      opts = { method = "GET", path = opts, headers = more and more.headers, query = more and more.query }
    end
    opts = opts or {}
    return answer({ kind = "http", client = client_kind, sni = rawget(self, "sni"), method = opts.method or "GET", uri = opts.path or "/",
      query = deep_copy(opts.query), headers = deep_copy(opts.headers), routes = deep_copy(integration_routes) })
  end
end
local function client(kind)
  return setmetatable({ send = send(kind), get = send(kind), close = function() end,
    ssl_handshake = function(self, _, name) self.sni = name return true end },
    { __index = function() return function() return chain() end end })
end

local helpers = setmetatable({
  get_db_utils = function() integration_routes = {} return bp end,
  each_strategy = function() local done = false return function() if done then return nil end done = true return 1, "postgres" end end,
  start_kong = function() return true end, stop_kong = function() end,
  proxy_client = function() return client("http") end,
  proxy_ssl_client = function() return client("https") end,
  http_client = function() return client("https") end,
  proxy_ssl_client_sni = function() return client("https") end,
  admin_client = function() return client("admin") end,
  wait_until = function(f) pcall(f) end,
  wait_for_all_config_update = function() end,
  mock_upstream_host = "127.0.0.1", mock_upstream_port = 15555, mock_upstream_protocol = "http",
  mock_upstream_ssl_host = "127.0.0.1", mock_upstream_ssl_port = 15556,
  get_proxy_port = function(ssl) return ssl and 9443 or 9000 end, get_proxy_ip = function() return "127.0.0.1" end,
  dns_mock = { new = function() return chain() end },
  grpcbin_url = "grpc://grpcbin:9000", grpcbin_ssl_url = "grpcs://grpcbin:9001",
  proxy_client_grpc = function() return function() return false, "" end end,
  proxy_client_grpcs = function() return function() return false, "" end end,
  get_kong_workers = function() return 1 end,
}, { __index = function() return function() return chain() end end })

local admin_api = setmetatable({
  routes = setmetatable({ insert = function(_, r) return bp_insert_route(r) end, remove = remove_route }, { __index = dao() }),
  services = setmetatable({ insert = function(_, s) return bp_insert_service(s) end }, { __index = dao() }),
  named_services = setmetatable({ insert = function(_, s) return bp_insert_service(s) end }, { __index = dao() }),
}, { __index = function(_, k) if k ~= "done" then return dao() end end })

local cjson = { decode = function(body) return body end, encode = function(v) return json(v) end }

-------------------------------------------------------------------------------------- module stubs
local uuid_seq = 0
local function uuid()
  uuid_seq = uuid_seq + 1
  return string.format("00000000-0000-4000-8000-%012d", uuid_seq)
end
package.preload["kong.router"] = function() return Router end
package.preload["kong.tools.uuid"] = function() return { uuid = uuid } end
package.preload["kong.router.transform"] = function() return { get_expression = function() return "" end, split_host_port = function(h) return h end } end
package.preload["kong.router.traditional"] = function() return { split_port = function() end } end
package.preload["kong.tools.table"] = function() return { deep_copy = deep_copy, cycle_aware_deep_copy = deep_copy, shallow_copy = function(t) local o = {} for k, v in pairs(t) do o[k] = v end return o end } end
package.preload["spec.helpers"] = function() return helpers end
package.preload["spec.fixtures.admin_api"] = function() return admin_api end
package.preload["cjson"] = function() return cjson end
package.preload["cjson.safe"] = function() return cjson end
package.preload["kong.db.declarative"] = function() return { to_yaml_string = function() return "" end } end
package.preload["kong.tools.string"] = function() return { replace_dashes_lower = function(s) return s:lower():gsub("-", "_") end } end

------------------------------------------------------------------------------------------ busted stub
local Block = {}
local function new_block(name, parent)
  return { name = name, parent = parent, before_each = {}, after_each = {}, lazy_setup = {}, lazy_teardown = {}, lazy_done = false }
end
local root = new_block(nil, nil)
local block = root

local function chain_of(b)
  local list = {}
  while b do table.insert(list, 1, b) b = b.parent end
  return list
end

local run_lazy
function run_lazy(b)
  for _, x in ipairs(chain_of(b)) do
    if not x.lazy_done then
      x.lazy_done = true
      for _, f in ipairs(x.lazy_setup) do
        local ok, err = pcall(f)
        if not ok then io.stderr:write("lazy_setup failed in ", tostring(x.name), ": ", tostring(err), "\n") end
      end
    end
  end
end

function _G.describe(name, fn)
  local b = new_block(name, block)
  local saved = block
  block = b
  path_stack[#path_stack + 1] = name
  local ok, err = pcall(fn)
  if not ok then io.stderr:write("describe failed: ", name, ": ", tostring(err), "\n") end
  if b.lazy_done then for _, f in ipairs(b.lazy_teardown) do pcall(f) end end
  path_stack[#path_stack] = nil
  block = saved
end
_G.context = _G.describe

local finals
function _G.finally(f) finals[#finals + 1] = f end

function _G.it(name, fn)
  local describe_path = {}
  for i, x in ipairs(path_stack) do describe_path[i] = x end
  current = { describe = describe_path, it = name, routers = {}, requests = {}, notes = {} }
  run_lazy(block)
  finals = {}
  for _, x in ipairs(chain_of(block)) do for _, f in ipairs(x.before_each) do pcall(f) end end
  local ok, err = pcall(fn)
  current.error = not ok and tostring(err) or nil
  for _, f in ipairs(finals) do pcall(f) end
  local chain_list = chain_of(block)
  for i = #chain_list, 1, -1 do for _, f in ipairs(chain_list[i].after_each) do pcall(f) end end
  io.write(json(current), "\n")
  current = nil
end
_G.pending = function() end
_G.lazy_setup = function(f) table.insert(block.lazy_setup, f) end
_G.setup = _G.lazy_setup
_G.strict_setup = _G.lazy_setup
_G.lazy_teardown = function(f) table.insert(block.lazy_teardown, f) end
_G.teardown = _G.lazy_teardown
_G.before_each = function(f) table.insert(block.before_each, f) end
_G.after_each = function(f) table.insert(block.after_each, f) end

------------------------------------------------------------------------------------------------ run
local f = assert(io.open(KONG .. "/" .. SPEC))
local src = f:read("*a")
f:close()
-- Only the traditional_compatible flavor; without buffering variants doubling the integration cases.
src = src:gsub('ipairs%(%{[^}]*"traditional_compatible"[^}]*%}%)', 'ipairs({ "traditional_compatible" })')
src = src:gsub('for _, b in ipairs%(%{ false, true %}%)', 'for _, b in ipairs({ false })')
local chunk = assert(loadstring(src, "@" .. SPEC))
local ok, err = pcall(chunk)
if not ok then io.stderr:write("spec failed: ", tostring(err), "\n") end
