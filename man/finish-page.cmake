# cmake -DIN=page.roff -DOUT=page.N -P finish-page.cmake
#
# groff's man macros hyphenate by default, which breaks option names such as
# --kill-after across lines (and a reader who copies one gets it wrong).
# scdoc has no way to say so, so we add `.nr HY 0` (groff >= 1.22: no
# hyphenation) after the first line, which stays first because man(1) reads
# preprocessor hints from it. Other formatters ignore the register.
file(READ "${IN}" page)
string(FIND "${page}" "\n" eol)
if(eol LESS 0)
  message(FATAL_ERROR "${IN}: not a man page")
endif()
math(EXPR rest "${eol} + 1")
string(SUBSTRING "${page}" 0 ${rest} first)
string(SUBSTRING "${page}" ${rest} -1 tail)
file(WRITE "${OUT}" "${first}.nr HY 0\n${tail}")
