# CAMPUSMON_CHECK_JANSSON: jansson >= 2.10 through pkg-config, then a link test.
AC_DEFUN([CAMPUSMON_CHECK_JANSSON], [
  PKG_CHECK_MODULES([JANSSON], [jansson >= 2.10])
  save_LIBS=$LIBS; save_CFLAGS=$CFLAGS
  LIBS="$JANSSON_LIBS $LIBS"; CFLAGS="$JANSSON_CFLAGS $CFLAGS"
  AC_MSG_CHECKING([whether jansson >= 2.10 links])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <jansson.h>]], [[json_decref(json_object());]])],
    [AC_MSG_RESULT([yes])], [AC_MSG_FAILURE([cannot link with jansson >= 2.10])])
  LIBS=$save_LIBS; CFLAGS=$save_CFLAGS
])
