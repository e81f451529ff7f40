# pt build configuration (POSIX make; GNU make reads it too)
VERSION = 0.1.0
PREFIX = /usr/local
MANPREFIX = $(PREFIX)/share/man

CC = cc
OPT = -O2 -g
WARN = -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes \
       -Wno-unused-parameter -Wno-sign-compare
CFLAGS = $(OPT) -std=c11 $(WARN) $(WERROR) $(SAN)
# pkg-config where a package ships a .pc file (the shell assignment is POSIX 2024 and GNU make)
PKG_CFLAGS != pkg-config --cflags libcurl libcjson cairo libpng fontconfig gsl libcrypto 2>/dev/null || echo -I/usr/include/cairo
CPPFLAGS = -D_GNU_SOURCE -Ilib $(PKG_CFLAGS)
LDFLAGS = $(SAN)
# libjq 1.6 ships no .pc file; the others are found by name in the Debian layout.
LIBS = -ljq -lonig -lcjson -lcurl -lcrypto -lgsl -lgslcblas -lcairo -lpng16 -lfontconfig -lpthread -lm
