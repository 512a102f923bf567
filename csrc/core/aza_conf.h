/*
** aza_conf.h
** Compile-time limits and visibility macros of the aza core.
** Every limit may be overridden from the build (-DAZA_MSGSZ=...).
*/
#ifndef aza_conf_h
#define aza_conf_h

/* size of the message buffer in aza_err, including the NUL */
#if !defined(AZA_MSGSZ)
#define AZA_MSGSZ 160
#endif

/* longest unit expression the parser accepts, in bytes */
#if !defined(AZA_EXPR_MAX)
#define AZA_EXPR_MAX 256
#endif

/* most terms (atom with prefix and exponent) one unit may hold */
#if !defined(AZA_TERMS_MAX)
#define AZA_TERMS_MAX 12
#endif

/* bytes of annotation text one unit may hold (all {...} together) */
#if !defined(AZA_ANNOT_MAX)
#define AZA_ANNOT_MAX 48
#endif

/* nesting depth of parentheses and of unit definitions */
#if !defined(AZA_DEPTH_MAX)
#define AZA_DEPTH_MAX 16
#endif

/*
** Marks the public API. The core is a static library built with hidden
** visibility and linked into the Lua module, so by default nothing of it
** is exported from core.so (only luaopen_aza_core is). A build that makes
** a shared C library of the core defines AZA_API as
** __attribute__((visibility("default"))).
*/
#if !defined(AZA_API)
#define AZA_API
#endif

/*
** Marks functions shared between core files but not public (declared in
** the private aza_*_int.h headers, named azai_*), as Lua's LUAI_FUNC does.
*/
#if !defined(AZAI_FUNC)
#if defined(__GNUC__)
#define AZAI_FUNC __attribute__((visibility("hidden"))) extern
#else
#define AZAI_FUNC extern
#endif
#endif

#endif
