/*
** laza_sandbox.c
** The C half of the protocol sandbox: run a protocol script (text only)
** under an instruction budget and a memory cap, both fresh for each call.
**
** For the duration of one sandbox_run:
** - the state's allocator is wrapped (lua_getallocf/lua_setallocf) by a
**   counting allocator that refuses any growth beyond the cap; after the
**   first refusal every growth is refused, so the script cannot go on;
** - a count hook charges the instructions run and raises once the budget
**   is spent (and again at every later hook, so a caught error does not
**   buy more time);
** - the string metatable's __index is swapped for the sandbox's own
**   read-only string table, so ("x"):rep(n) reaches the capped wrapper and
**   never the pattern functions.
** All three are restored before sandbox_run returns, whatever happened.
** The window is throw-free: arguments are checked and the stack is grown
** before anything is swapped; loading and running are protected.
**
** Hooks do not run inside C functions: the Lua side never exposes a C
** function whose run time is not bounded by its input size (no Lua
** patterns; string.rep checked before it allocates).
*/
#include <string.h>
#include <time.h>

#include "laza_compat.h"
#include "laza_sandbox.h"

/*
** Instructions between two calls of the count hook. Small, because one
** instruction may do much work that allocates nothing (5.1 and LuaJIT
** intern every string: `a .. a` of a 16 MB string copies 32 MB and, when
** the result exists already, allocates none); the CPU-time deadline is
** checked at every hook.
*/
#define SB_HOOK_EVERY 100

/*
** Bytes allocated that cost one instruction of the budget. Most C library
** work that grows with its input also allocates in proportion (string.rep,
** .., upper, format, table.concat, table growth), so charging allocations
** bounds it: a run allocates at most budget * SB_BYTES_PER_STEP bytes in
** total, freed or not. Work that does not allocate is charged from Lua
** through sandbox_charge.
*/
#define SB_BYTES_PER_STEP 32

enum { SB_OK = 0, SB_BUDGET = 1, SB_MEMORY = 2, SB_TIME = 3 };

typedef struct sb_state {
  lua_Alloc f; /* the host allocator */
  void *ud;
  size_t used;        /* bytes allocated in the window, net of frees */
  size_t cap;         /* most bytes the window may hold */
  size_t used_at_gc;  /* `used` after the hook's last collection */
  int refused;        /* the last request for growth was refused */
  lua_Integer budget; /* instructions allowed */
  lua_Integer steps;  /* instructions left */
  int tripped;        /* first limit hit: SB_BUDGET, SB_MEMORY or SB_TIME */
  clock_t start;      /* processor time at the start of the run */
  clock_t ticks;      /* processor time allowed, 0 for no deadline */
  long long ms;       /* the same in milliseconds, for messages */
  const char *source; /* chunk name, "@file" */
  int line;           /* line of the chunk at the last hook, 0 if none */
  char where[LUA_IDSIZE];
} sb_state;

static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  sb_state *s = (sb_state *)ud;
  size_t old = ptr != NULL ? osize : 0; /* osize is a type tag for NULL */
  void *p;
  if (nsize > old) {
    size_t grow = nsize - old;
    if (s->tripped == SB_MEMORY || grow > s->cap || s->used > s->cap - grow) {
      if (s->tripped == SB_OK) {
#if LUA_VERSION_NUM >= 503
        /*
        ** 5.3 and 5.4 collect in full and ask again once an allocation fails:
        ** the cap is on live memory, so that second request decides
        */
        if (s->refused) {
          s->tripped = SB_MEMORY;
        }
        s->refused = 1;
#else
        s->tripped = SB_MEMORY;
#endif
      }
      return NULL;
    }
    s->refused = 0;
  }
  p = s->f(s->ud, ptr, osize, nsize);
  if (p != NULL || nsize == 0) {
    if (nsize >= old) {
      s->used += nsize - old;
      s->steps -= (lua_Integer)((nsize - old) / SB_BYTES_PER_STEP);
    } else if (old - nsize > s->used) {
      s->used = 0; /* freeing a block allocated before the window */
    } else {
      s->used -= old - nsize;
    }
  }
  return p;
}

/* the sandbox state of L, or NULL outside sandbox_run */
static sb_state *sb_current(lua_State *L) {
  void *ud = NULL;
  if (lua_getallocf(L, &ud) != sb_alloc) {
    return NULL;
  }
  return (sb_state *)ud;
}

/* the chunk name for messages: "@file" and "=name" lose their mark */
static const char *sb_chunkid(const char *source) {
  return (source[0] == '@' || source[0] == '=') ? source + 1 : source;
}

/* remember the line of the script if `ar` is in it */
static void sb_sample(lua_State *L, sb_state *s, lua_Debug *ar) {
  if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0 &&
      strcmp(ar->source, s->source) == 0) {
    s->line = ar->currentline;
    memcpy(s->where, ar->short_src, sizeof s->where);
    s->where[sizeof s->where - 1] = '\0';
  }
}

/*
** Push "file:line: <what>" (or "file: <what>" when no line of the script
** is known); `what` is a printf format taking one long long. The text is
** formatted here, not by lua_pushfstring, whose directives differ between
** versions (%I is 5.3+).
*/
static void sb_message(lua_State *L, const sb_state *s, const char *what,
                       long long n) {
  char text[96];
  snprintf(text, sizeof text, what, n);
  if (s->line > 0) {
    lua_pushfstring(L, "%s:%d: %s", s->where, s->line, text);
  } else {
    lua_pushfstring(L, "%s: %s", sb_chunkid(s->source), text);
  }
}

/* raise when the budget is spent or a limit was hit before */
static void sb_check(lua_State *L, sb_state *s) {
  if (s->tripped == SB_OK && s->ticks > 0 && clock() - s->start > s->ticks) {
    s->tripped = SB_TIME;
  }
  if (s->steps >= 0 && s->tripped == SB_OK) {
    return;
  }
  if (s->tripped == SB_OK) {
    s->tripped = SB_BUDGET;
  }
  if (s->tripped == SB_TIME) {
    sb_message(L, s, "CPU time limit of %lld ms exceeded", s->ms);
  } else {
    sb_message(L, s, "instruction budget of %lld instructions exceeded",
               (long long)s->budget);
  }
  lua_error(L);
}

/*
** The hook. Count events charge the instructions. Call events only
** remember the caller's line, so that a message about the memory cap
** (which carries no position of its own) can name the line of the script
** that made the call (string.rep, a table constructor, ...).
*/
static void sb_hook(lua_State *L, lua_Debug *ar) {
  sb_state *s = sb_current(L);
  if (s == NULL) {
    return;
  }
  /*
  ** The cap is on live memory, not on garbage the collector has not yet
  ** reached: past half the cap, and after every further eighth of it, the
  ** hook collects. (5.3 and 5.4 also collect before they report a failed
  ** allocation; 5.1 and LuaJIT do not.) Allocations are charged to the
  ** budget, so this happens a bounded number of times per run.
  */
  if (s->tripped == SB_OK && s->used > s->cap / 2 &&
      s->used > s->used_at_gc + s->cap / 8) {
    lua_gc(L, LUA_GCCOLLECT, 0);
    s->used_at_gc = s->used;
  }
  if (ar->event != LUA_HOOKCOUNT) {
    lua_Debug caller;
    if (lua_getstack(L, 1, &caller)) {
      sb_sample(L, s, &caller);
    }
    return;
  }
  sb_sample(L, s, ar);
  s->steps -= SB_HOOK_EVERY;
  sb_check(L, s);
}

/*
** Push msg as a message about the script: one raised inside aza's own Lua
** (a library wrapper: "…/aza/protocol/sandbox.lua:245: bad argument …")
** gets the script's file and the line the hook saw last instead, so that
** no aza-internal position reaches the user.
*/
static void sb_script_position(lua_State *L, const sb_state *s,
                               const char *msg) {
  const char *id = sb_chunkid(s->source);
  const char *colon, *rest;
  size_t n = strlen(id);
  if (strncmp(msg, id, n) == 0 ||
      (s->line > 0 && strncmp(msg, s->where, strlen(s->where)) == 0)) {
    lua_pushstring(L, msg);
    return;
  }
  /* "<file>.lua:<digits>: " at the start, with "/aza/" in <file> */
  colon = strstr(msg, ".lua:");
  rest = colon != NULL ? colon + 5 : NULL;
  while (rest != NULL && *rest >= '0' && *rest <= '9') {
    rest++;
  }
  if (rest != NULL && rest[0] == ':' && rest[1] == ' ' && rest > colon + 5 &&
      strstr(msg, "aza/") != NULL && strstr(msg, "aza/") < colon) {
    msg = rest + 2;
  }
  if (s->line > 0) {
    lua_pushfstring(L, "%s:%d: %s", s->where, s->line, msg);
  } else {
    lua_pushfstring(L, "%s: %s", id, msg);
  }
}

/* push nil, message, code; returns 3 */
static int sb_fail(lua_State *L, const sb_state *s, int status) {
  const char *msg = lua_tostring(L, -1);
  const char *code = "E_SCRIPT";
  if (s->tripped == SB_MEMORY || status == LUA_ERRMEM) {
    code = "E_LIMIT";
    sb_message(L, s, "memory cap of %lld bytes exceeded", (long long)s->cap);
  } else if (s->tripped == SB_TIME) {
    code = "E_LIMIT";
    if (msg != NULL && strstr(msg, "CPU time limit") != NULL) {
      lua_pushstring(L, msg);
    } else {
      sb_message(L, s, "CPU time limit of %lld ms exceeded", s->ms);
    }
  } else if (s->tripped == SB_BUDGET) {
    code = "E_LIMIT";
    if (msg != NULL && strstr(msg, "instruction budget") != NULL) {
      lua_pushstring(L, msg);
    } else {
      sb_state any = *s;
      any.line = 0;
      sb_message(L, &any, "instruction budget of %lld instructions exceeded",
                 (long long)s->budget);
    }
  } else if (status == LUA_ERRSYNTAX) {
    code = "E_SYNTAX";
    lua_pushstring(L, msg != NULL ? msg : "syntax error");
  } else if (msg != NULL) {
    sb_script_position(L, s, msg);
  } else {
    lua_pushfstring(L, "%s: (error object is a %s value)",
                    sb_chunkid(s->source), luaL_typename(L, -1));
  }
  luaL_pushfail(L);
  lua_insert(L, -2);
  lua_pushstring(L, code);
  return 3;
}

/***
 * Run a protocol script in the sandbox.
 * @function sandbox_run
 * @tparam string source the script (text only: binary chunks are refused)
 * @tparam string chunkname `"@file"` for messages `file:line: ...`
 * @tparam table env the script's global table
 * @tparam integer budget instructions allowed
 * @tparam integer memory bytes the run may allocate, net of frees
 * @tparam[opt] table string_index the string metatable's __index meanwhile
 * @tparam[opt] integer ms processor time allowed, in milliseconds (none
 *   when absent or 0)
 * @return true and the script's results
 * @return[2] nil, message, code (`E_SYNTAX`, `E_SCRIPT`, `E_LIMIT`)
 */
static int sandbox_run(lua_State *L) {
  size_t len;
  const char *src = luaL_checklstring(L, 1, &len);
  const char *name = luaL_checkstring(L, 2);
  lua_Integer budget = luaL_checkinteger(L, 4);
  lua_Integer memory = luaL_checkinteger(L, 5);
  lua_Integer ms = luaL_optinteger(L, 7, 0);
  sb_state s;
  lua_Hook oldhook;
  int oldmask, oldcount, status, base, swap;
  luaL_checktype(L, 3, LUA_TTABLE);
  luaL_argcheck(L, budget > 0, 4, "budget must be positive");
  luaL_argcheck(L, memory > 0, 5, "memory cap must be positive");
  luaL_argcheck(L, ms >= 0 && ms <= 86400000, 7, "time limit out of range");
  if (!lua_isnoneornil(L, 6)) {
    luaL_checktype(L, 6, LUA_TTABLE);
  }
  if (sb_current(L) != NULL) {
    return luaL_error(L, "sandbox_run: already inside a sandbox");
  }
  lua_settop(L, 6);
  /* 7: the string metatable, 8: its __index (nil, nil when none) */
  lua_pushliteral(L, "");
  if (!lua_getmetatable(L, -1)) {
    lua_pushnil(L);
  }
  lua_remove(L, -2);
  if (lua_istable(L, 7)) {
    lua_pushliteral(L, "__index");
    lua_rawget(L, 7);
  } else {
    lua_pushnil(L);
  }
  swap = lua_istable(L, 7) && lua_istable(L, 6);
  lua_pushliteral(L, "__index"); /* 9: the key, interned before the window */
  luaL_checkstack(L, 16, "sandbox_run");
  lua_gc(L, LUA_GCCOLLECT, 0); /* start every run from the same clean heap */

  memset(&s, 0, sizeof s);
  s.f = lua_getallocf(L, &s.ud);
  s.cap = (size_t)memory;
  s.budget = budget;
  s.steps = budget;
  s.source = name;
  s.ms = (long long)ms;
  s.ticks = (clock_t)((double)ms * ((double)CLOCKS_PER_SEC / 1000.0));
  s.start = clock();
  oldhook = lua_gethook(L);
  oldmask = lua_gethookmask(L);
  oldcount = lua_gethookcount(L);
  base = lua_gettop(L);

  /* {=== the window: nothing here may raise ===*/
  if (swap) {
    lua_pushvalue(L, 9);
    lua_pushvalue(L, 6);
    lua_rawset(L, 7); /* the key exists: no allocation */
  }
  lua_setallocf(L, sb_alloc, &s);
  lua_sethook(L, sb_hook, LUA_MASKCOUNT | LUA_MASKCALL, SB_HOOK_EVERY);
  status = azaC_loadtext(L, src, len, name);
  if (status == LUA_OK) {
    azaC_nojit(L, -1); /* LuaJIT: the count hook must see every instruction */
    lua_pushvalue(L, 3);
    azaC_setenv(L, -2);
    status = lua_pcall(L, 0, LUA_MULTRET, 0);
  }
  lua_sethook(L, oldhook, oldmask, oldcount);
  lua_setallocf(L, s.f, s.ud);
  if (swap) {
    lua_pushvalue(L, 9);
    lua_pushvalue(L, 8);
    lua_rawset(L, 7);
  }
  /* }=== */

  if (status != LUA_OK || s.tripped != SB_OK) {
    if (status == LUA_OK) {
      lua_settop(L, base);
      lua_pushnil(L);
    }
    return sb_fail(L, &s, status);
  }
  lua_pushboolean(L, 1);
  lua_insert(L, base + 1);
  return lua_gettop(L) - base;
}

/***
 * Which limit the running sandbox has hit.
 * @function sandbox_tripped
 * @treturn integer 0 (none, or outside a sandbox), 1 (instruction budget)
 *   or 2 (memory cap); an integer, so that asking never allocates
 */
static int sandbox_tripped(lua_State *L) {
  sb_state *s = sb_current(L);
  lua_pushinteger(L, s != NULL ? s->tripped : SB_OK);
  return 1;
}

/***
 * Charge work to the running sandbox's instruction budget, for library
 * functions whose cost grows with their input but which do not allocate in
 * proportion (table.sort, table.unpack, ...). Raises when the budget is
 * spent; does nothing outside a sandbox.
 * @function sandbox_charge
 * @tparam number n instructions to charge (negative counts as 0)
 * @tparam[opt] number bytes a result about to be made: raises the memory
 *   cap's error when it cannot fit (before any work is done)
 */
static int sandbox_charge(lua_State *L) {
  lua_Number n = luaL_checknumber(L, 1);
  lua_Number bytes = luaL_optnumber(L, 2, 0);
  sb_state *s = sb_current(L);
  if (s == NULL) {
    return 0;
  }
  if (!(bytes <= (lua_Number)(s->cap - s->used))) { /* NaN too */
    s->tripped = SB_MEMORY;
    sb_message(L, s, "memory cap of %lld bytes exceeded", (long long)s->cap);
    return lua_error(L);
  }
  if (n >= (lua_Number)s->budget || n != n) {
    s->steps = -1;
  } else if (n > 0) {
    s->steps -= (lua_Integer)n;
  }
  sb_check(L, s);
  return 0;
}

/***
 * Where the running sandbox's script is: `"file:line:"` of the line last
 * seen by the hook, `"file:"` when none was, nil outside a sandbox. For
 * messages of library wrappers, whose caller may be gone (a tail call).
 * @function sandbox_where
 * @treturn string|nil
 */
static int sandbox_where(lua_State *L) {
  sb_state *s = sb_current(L);
  if (s == NULL) {
    lua_pushnil(L);
  } else if (s->line > 0) {
    lua_pushfstring(L, "%s:%d:", s->where, s->line);
  } else {
    lua_pushfstring(L, "%s:", sb_chunkid(s->source));
  }
  return 1;
}

static const luaL_Reg sandbox_funcs[] = {{"sandbox_run", sandbox_run},
                                         {"sandbox_where", sandbox_where},
                                         {"sandbox_tripped", sandbox_tripped},
                                         {"sandbox_charge", sandbox_charge},
                                         {NULL, NULL}};

void azaL_open_sandbox(lua_State *L) {
  luaL_setfuncs(L, sandbox_funcs, 0);
}

#if defined(AZA_SANDBOX_STANDALONE)
/* a test-only module exposing just the sandbox (never built by CMake) */
int luaopen_aza_sandbox_standalone(lua_State *L);
int luaopen_aza_sandbox_standalone(lua_State *L) {
  lua_newtable(L);
  azaL_open_sandbox(L);
  return 1;
}
#endif
