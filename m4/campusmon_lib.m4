# CAMPUSMON_CHECK_LIB(VAR, MODULES, PROLOGUE, BODY)
# A library through pkg-config (sets VAR_CFLAGS and VAR_LIBS), then a link
# test that the headers and the library really work together: pkg-config
# only says a .pc file exists. Fails configure with the module named.
AC_DEFUN([CAMPUSMON_CHECK_LIB], [
  PKG_CHECK_MODULES([$1], [$2])
  campusmon_save_LIBS=$LIBS; campusmon_save_CFLAGS=$CFLAGS
  LIBS="$$1_LIBS $LIBS"; CFLAGS="$$1_CFLAGS $CFLAGS"
  AC_MSG_CHECKING([whether $2 links])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([$3], [$4])],
    [AC_MSG_RESULT([yes])], [AC_MSG_FAILURE([cannot link with $2])])
  LIBS=$campusmon_save_LIBS; CFLAGS=$campusmon_save_CFLAGS
])
