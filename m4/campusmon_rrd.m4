# CAMPUSMON_CHECK_RRD: librrd >= 1.7 through pkg-config, then a link test.
AC_DEFUN([CAMPUSMON_CHECK_RRD], [
  PKG_CHECK_MODULES([RRD], [librrd >= 1.7])
  save_LIBS=$LIBS; save_CFLAGS=$CFLAGS
  LIBS="$RRD_LIBS $LIBS"; CFLAGS="$RRD_CFLAGS $CFLAGS"
  AC_MSG_CHECKING([whether librrd >= 1.7 links])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <rrd.h>]], [[rrd_clear_error();]])],
    [AC_MSG_RESULT([yes])], [AC_MSG_FAILURE([cannot link with librrd >= 1.7])])
  LIBS=$save_LIBS; CFLAGS=$save_CFLAGS
])
