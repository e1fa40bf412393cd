# CAMPUSMON_CHECK_UNISTRING: GNU libunistring (NFKC and Unicode character
# classes for user names). It ships no pkg-config file: a header and link test.
AC_DEFUN([CAMPUSMON_CHECK_UNISTRING], [
  AC_ARG_VAR([UNISTRING_LIBS], [linker flags for libunistring (default: -lunistring)])
  : ${UNISTRING_LIBS="-lunistring"}
  save_LIBS=$LIBS
  LIBS="$UNISTRING_LIBS $LIBS"
  AC_MSG_CHECKING([whether libunistring links])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <uninorm.h>
#include <unictype.h>]], [[size_t n = 0; u8_normalize(UNINORM_NFKC, (const uint8_t *)"a", 1, NULL, &n);
return uc_is_property_alphabetic(0x41) ? 0 : 1;]])],
    [AC_MSG_RESULT([yes])],
    [AC_MSG_FAILURE([cannot link with libunistring: install libunistring-dev])])
  LIBS=$save_LIBS
])
