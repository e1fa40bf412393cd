# Build options: sanitizers, libFuzzer targets, coverage. Flags go to
# CAMPUSMON_CFLAGS/CAMPUSMON_LDFLAGS so the user's CFLAGS stay theirs.
AC_DEFUN([CAMPUSMON_ARG_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers], AS_HELP_STRING([--enable-sanitizers], [build with ASan and UBSan]),
    [], [enable_sanitizers=no])
  AS_IF([test "x$enable_sanitizers" = xyes], [
    CAMPUSMON_CFLAGS="$CAMPUSMON_CFLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    CAMPUSMON_LDFLAGS="$CAMPUSMON_LDFLAGS -fsanitize=address,undefined"])
])
AC_DEFUN([CAMPUSMON_ARG_FUZZER], [
  AC_ARG_ENABLE([fuzzer], AS_HELP_STRING([--enable-fuzzer], [build libFuzzer targets (needs clang)]),
    [], [enable_fuzzer=no])
  AM_CONDITIONAL([ENABLE_FUZZER], [test "x$enable_fuzzer" = xyes])
  AS_IF([test "x$enable_fuzzer" = xyes], [
    CAMPUSMON_CFLAGS="$CAMPUSMON_CFLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
    CAMPUSMON_LDFLAGS="$CAMPUSMON_LDFLAGS -fsanitize=address,undefined"])
])
AC_DEFUN([CAMPUSMON_ARG_GCOV], [
  AC_ARG_ENABLE([gcov], AS_HELP_STRING([--enable-gcov], [build with coverage]),
    [], [enable_gcov=no])
  AS_IF([test "x$enable_gcov" = xyes], [
    CAMPUSMON_CFLAGS="$CAMPUSMON_CFLAGS --coverage"
    CAMPUSMON_LDFLAGS="$CAMPUSMON_LDFLAGS --coverage"])
])
AC_DEFUN([AX_PTHREAD_SIMPLE], [
  AC_SEARCH_LIBS([pthread_create], [pthread], [], [AC_MSG_ERROR([pthreads needed])])
])
AC_DEFUN([CAMPUSMON_ARG_WERROR], [
  AC_ARG_ENABLE([werror], AS_HELP_STRING([--enable-werror], [treat compiler warnings as errors]),
    [], [enable_werror=no])
  AS_IF([test "x$enable_werror" = xyes], [CAMPUSMON_CFLAGS="$CAMPUSMON_CFLAGS -Werror"])
])
AC_DEFUN([CAMPUSMON_ARG_HARDENING], [
  AC_ARG_ENABLE([hardening], AS_HELP_STRING([--enable-hardening],
    [stack protector, _FORTIFY_SOURCE, full RELRO and now-binding (as Debian's packages build)]),
    [], [enable_hardening=no])
  AS_IF([test "x$enable_hardening" = xyes], [
    CAMPUSMON_CFLAGS="$CAMPUSMON_CFLAGS -fstack-protector-strong -fstack-clash-protection -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2 -fPIE"
    CAMPUSMON_LDFLAGS="$CAMPUSMON_LDFLAGS -pie -Wl,-z,relro -Wl,-z,now"])
])
