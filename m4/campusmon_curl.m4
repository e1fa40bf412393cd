# CAMPUSMON_CHECK_CURL: libcurl >= 7.68 through pkg-config, then a link test.
AC_DEFUN([CAMPUSMON_CHECK_CURL], [
  PKG_CHECK_MODULES([CURL], [libcurl >= 7.68])
  save_LIBS=$LIBS; save_CFLAGS=$CFLAGS
  LIBS="$CURL_LIBS $LIBS"; CFLAGS="$CURL_CFLAGS $CFLAGS"
  AC_MSG_CHECKING([whether libcurl >= 7.68 links])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <curl/curl.h>]], [[curl_easy_init();]])],
    [AC_MSG_RESULT([yes])], [AC_MSG_FAILURE([cannot link with libcurl >= 7.68])])
  LIBS=$save_LIBS; CFLAGS=$save_CFLAGS
])
