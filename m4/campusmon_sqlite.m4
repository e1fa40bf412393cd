# CAMPUSMON_CHECK_SQLITE: sqlite3 >= 3.31 through pkg-config, then a link test.
AC_DEFUN([CAMPUSMON_CHECK_SQLITE], [
  PKG_CHECK_MODULES([SQLITE], [sqlite3 >= 3.31])
  save_LIBS=$LIBS; save_CFLAGS=$CFLAGS
  LIBS="$SQLITE_LIBS $LIBS"; CFLAGS="$SQLITE_CFLAGS $CFLAGS"
  AC_MSG_CHECKING([whether sqlite3 >= 3.31 links])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <sqlite3.h>]], [[sqlite3_libversion();]])],
    [AC_MSG_RESULT([yes])], [AC_MSG_FAILURE([cannot link with sqlite3 >= 3.31])])
  LIBS=$save_LIBS; CFLAGS=$save_CFLAGS
])
