# dnsleak -- one plain GNU Makefile (wireguard-tools, hiredis). Objects and binaries under build/.
#
#   make            build build/dnsleakd and build/dnsleak
#   make check      install missing Debian packages, build, run every test (unit, fuzz corpus
#                   replay, integration) with the test binaries and daemon under ASan+UBSan
#   make fuzz       libFuzzer targets with clang, FUZZ_SECONDS (60) per target
#   make bench      dnsperf: dnsleakd vs NSD (root, needs the bench packages)
#   make lint       banned functions
#   make install    the programs and man pages: PREFIX (/usr/local), DESTDIR

CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

SERVER_PKGS := libmicrohttpd jansson libcrypto libmaxminddb hiredis
CLIENT_PKGS := libcurl jansson libcrypto libmnl libsystemd libpcap libnftables
WARN := -Wall -Wextra -Werror -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wwrite-strings -Wformat=2 -Wvla -Wno-missing-field-initializers
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) -fno-common -pthread -MMD -MP \
	-iquote src/common -iquote src/server -iquote src/client
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(sort $(SERVER_PKGS) $(CLIENT_PKGS)) 2>/dev/null)
SERVER_LIBS = $(shell $(PKG_CONFIG) --libs $(SERVER_PKGS) 2>/dev/null)
CLIENT_LIBS = $(shell $(PKG_CONFIG) --libs $(CLIENT_PKGS) 2>/dev/null)
ALL_LIBS = $(shell $(PKG_CONFIG) --libs $(sort $(SERVER_PKGS) $(CLIENT_PKGS)) 2>/dev/null)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

COMMON_SRC := $(sort $(wildcard src/common/*.c))
SERVER_SRC := $(filter-out src/server/main.c,$(sort $(wildcard src/server/*.c)))
CLIENT_SRC := $(filter-out src/client/main.c,$(sort $(wildcard src/client/*.c)))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))
# The test page (web/) compiled into dnsleakd: scripts/embed.sh rewrites the table only when a
# file changed, so it may run every time (files added or removed count too).
WEB_FILES := $(sort $(wildcard web/*))
GEN_SRC := build/gen/web_assets.c

# $(call objs,VARIANT,SOURCES)
objs = $(patsubst %.c,build/$(1)/%.o,$(2))

all: build/dnsleakd build/dnsleak

$(GEN_SRC): FORCE
	@mkdir -p $(dir $@)
	$(Q)scripts/embed.sh $@ $(WEB_FILES)

# Two object trees: release (CFLAGS) and san (ASan+UBSan, what the tests run).
build/rel/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(BASE_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC san  $<")
	$(Q)$(CC) $(SAN_FLAGS) $(BASE_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

build/dnsleakd: $(call objs,rel,src/server/main.c $(SERVER_SRC) $(GEN_SRC) $(COMMON_SRC))
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -pthread -o $@ $^ $(SERVER_LIBS)

build/dnsleak: $(call objs,rel,src/client/main.c $(CLIENT_SRC) $(COMMON_SRC))
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -pthread -o $@ $^ $(CLIENT_LIBS) -lanl

build/san/dnsleakd: $(call objs,san,src/server/main.c $(SERVER_SRC) $(GEN_SRC) $(COMMON_SRC))
	@$(if $(Q),echo "  LD san  $@")
	$(Q)$(CC) $(SAN_FLAGS) -pthread -o $@ $^ $(SERVER_LIBS)

build/san/dnsleak: $(call objs,san,src/client/main.c $(CLIENT_SRC) $(COMMON_SRC))
	@$(if $(Q),echo "  LD san  $@")
	$(Q)$(CC) $(SAN_FLAGS) -pthread -o $@ $^ $(CLIENT_LIBS) -lanl

# Each unit test links every common and server module (not main.c): cmocka, ASan+UBSan.
build/san/tests/unit/%: build/san/tests/unit/%.o $(call objs,san,$(SERVER_SRC) $(GEN_SRC) $(CLIENT_SRC) $(COMMON_SRC))
	@$(if $(Q),echo "  LD san  $@")
	$(Q)$(CC) $(SAN_FLAGS) -pthread -o $@ $^ $(ALL_LIBS) -lanl $(CMOCKA_LIBS)

# Fuzz targets replayed over their corpus with GCC + ASan (Knot tests-fuzz/main.c).
build/san/tests/fuzz/replay_%: build/san/tests/fuzz/fuzz_%.o build/san/tests/fuzz/replay.o $(call objs,san,$(SERVER_SRC) $(GEN_SRC) $(CLIENT_SRC) $(COMMON_SRC))
	@$(if $(Q),echo "  LD san  $@")
	$(Q)$(CC) $(SAN_FLAGS) -pthread -o $@ $^ $(ALL_LIBS) -lanl

build/san/tests/helpers/%: build/san/tests/helpers/%.o $(call objs,san,$(COMMON_SRC))
	$(Q)$(CC) $(SAN_FLAGS) -pthread -o $@ $^ $(ALL_LIBS)

UNIT_BINS := $(patsubst tests/unit/%.c,build/san/tests/unit/%,$(UNIT_SRC))
REPLAY_BINS := $(patsubst tests/fuzz/fuzz_%.c,build/san/tests/fuzz/replay_%,$(FUZZ_SRC))
HELPER_BINS := $(patsubst tests/helpers/%.c,build/san/tests/helpers/%,$(HELPER_SRC))

deps:
	$(Q)scripts/deps.sh

test-build: all build/san/dnsleakd build/san/dnsleak $(UNIT_BINS) $(REPLAY_BINS) $(HELPER_BINS)

check: deps
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)tests/run.sh

# libFuzzer: clang, ASan+UBSan, FUZZ_SECONDS per target, corpus grows in build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(SERVER_SRC) $(GEN_SRC) $(CLIENT_SRC) $(COMMON_SRC)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -iquote src/common \
		-iquote src/server -iquote src/client $(PKG_CFLAGS) -o $@ $^ $(ALL_LIBS) -lanl

fuzz: deps $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
	$(Q)for f in $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC)); do \
		mkdir -p build/fuzz/corpus/$$f; \
		echo "fuzz_$$f: $(FUZZ_SECONDS) s"; \
		build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			build/fuzz/corpus/$$f tests/fuzz/corpus/$$f || exit 1; \
	done

bench: all
	$(Q)bench/run.sh

# The network lab (root): every scenario with the real client, in plain words; tests/lab/README.md.
demo: all
	$(Q)tests/lab/demo.sh

lint:
	$(Q)scripts/lint.sh

# make install: the programs and the man pages. DESTDIR stages (packages), PREFIX=/usr for a distro.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
INSTALL ?= install

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 0755 build/dnsleak $(DESTDIR)$(BINDIR)/dnsleak
	$(INSTALL) -m 0755 build/dnsleakd $(DESTDIR)$(SBINDIR)/dnsleakd
	$(INSTALL) -m 0644 docs/dnsleak.1 $(DESTDIR)$(MANDIR)/man1/dnsleak.1
	$(INSTALL) -m 0644 docs/dnsleakd.conf.5 $(DESTDIR)$(MANDIR)/man5/dnsleakd.conf.5
	$(INSTALL) -m 0644 docs/dnsleakd.8 $(DESTDIR)$(MANDIR)/man8/dnsleakd.8

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/dnsleak $(DESTDIR)$(SBINDIR)/dnsleakd \
		$(DESTDIR)$(MANDIR)/man1/dnsleak.1 $(DESTDIR)$(MANDIR)/man5/dnsleakd.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/dnsleakd.8

clean:
	rm -rf build

.PHONY: all deps test-build check fuzz bench demo lint install uninstall clean FORCE
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)
