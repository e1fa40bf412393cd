# CAMPUSMON_CHECK_ZLIB: zlib through pkg-config, then a link test.
AC_DEFUN([CAMPUSMON_CHECK_ZLIB], [
  PKG_CHECK_MODULES([ZLIB], [zlib])
  save_LIBS=$LIBS; save_CFLAGS=$CFLAGS
  LIBS="$ZLIB_LIBS $LIBS"; CFLAGS="$ZLIB_CFLAGS $CFLAGS"
  AC_MSG_CHECKING([whether zlib links])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <zlib.h>]], [[zlibVersion();]])],
    [AC_MSG_RESULT([yes])], [AC_MSG_FAILURE([cannot link with zlib])])
  LIBS=$save_LIBS; CFLAGS=$save_CFLAGS
])
