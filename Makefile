# fail_dup_mmap: out-of-tree module + static guest binaries + VM scenarios.
#   make [KDIR=<kernel build dir>]   module (in place) and userspace
#   make demo                        the main job: one real VM run on deb:6.12
#   make check                       the tests that gate a change (VM runs on
#                                    deb:6.1, 6.12, 7.x and RT, debug and control kernels)
#   make check-full                  make check + the long runs (docs/testing.md)
#   make stress KERNEL=... DURATION=S  failed forks racing swapoff (scripts/stress)
#   make bench KERNEL=...            benchmarks, one boot, ratios (scripts/bench)
#   make corpus KERNEL=control|deb:6.12|deb:7|PATH [KDIR=DIR]
#                                    every known-bug entry's stressor (corpus/entries);
#                                    non-zero when any found something
#   make install [KDIR=...] [PREFIX=/usr/local] [DESTDIR=]
#                                    the module (modules_install, depmod) and
#                                    the forker, helpers and guest scripts
KDIR ?= /lib/modules/$(shell uname -r)/build
KERNEL ?= deb:6.12
CC ?= gcc
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -static
# userspace/NAME.c: a program of one file (common.h only).
# userspace/NAME/*.c (with a main.c): a program of several files, linked with
# the shared library userspace/lib/*.c (lib/fdm.h): forker, the stressors.
USER_LIB := $(wildcard userspace/lib/*.c)
USER_LIB_HDRS := userspace/common.h $(wildcard userspace/lib/*.h)
USER_PROGS := $(patsubst userspace/%/main.c,userspace/bin/%,$(wildcard userspace/*/main.c))
USER_BINS := $(patsubst userspace/%.c,userspace/bin/%,$(wildcard userspace/*.c)) $(USER_PROGS)

DURATION ?= 60

PREFIX ?= /usr/local
LIBDIR := $(PREFIX)/lib/fail_dup_mmap

.PHONY: all module userspace clean demo check check-full deps stress bench install corpus

all: module userspace

module:
	@test -f "$(KDIR)/Makefile" || { echo "make: KDIR=$(KDIR) is not a kernel build dir (set KDIR=...)" >&2; exit 1; }
	scripts/build-module "$(KDIR)" "$(CURDIR)"

userspace: $(USER_BINS)

userspace/bin/%: userspace/%.c userspace/*.h
	@mkdir -p userspace/bin
	$(CC) $(USER_CFLAGS) -o $@ $<

.SECONDEXPANSION:
$(USER_PROGS): userspace/bin/%: $$(wildcard userspace/%/*.c userspace/%/*.h) $(USER_LIB) $(USER_LIB_HDRS)
	@mkdir -p userspace/bin
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.c,$^)

deps:
	scripts/install-deps demo

demo: deps
	scripts/demo $(KERNEL)

check:
	scripts/install-deps check
	tests/run-all

check-full:
	scripts/install-deps check
	tests/run-all --full

stress:
	scripts/install-deps check
	scripts/stress $(KERNEL) $(DURATION)

corpus:
	scripts/install-deps check
	scripts/corpus $(if $(filter command line,$(origin KDIR)),--kdir $(KDIR)) $(KERNEL)

bench:
	scripts/install-deps bench
	scripts/bench --icount $(KERNEL)
	scripts/bench --control --baseline $(KERNEL)

# The module into /lib/modules/VER/updates (INSTALL_MOD_PATH=$(DESTDIR)), the
# static binaries and the test scripts into $(LIBDIR), with bin/ links in
# $(PREFIX)/bin: the scripts find lib.sh beside themselves and the binaries in PATH.
install: all
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" INSTALL_MOD_PATH="$(DESTDIR)" INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= modules_install
	install -d "$(DESTDIR)$(LIBDIR)/bin" "$(DESTDIR)$(LIBDIR)/guest" "$(DESTDIR)$(PREFIX)/bin"
	install -m 0755 $(USER_BINS) "$(DESTDIR)$(LIBDIR)/bin/"
	install -m 0755 scripts/guest/*.sh "$(DESTDIR)$(LIBDIR)/guest/"
	for f in $(USER_BINS) scripts/guest/*.sh; do \
		b=$$(basename $$f); \
		case $$f in scripts/*) d=guest ;; *) d=bin ;; esac; \
		ln -sf "$(LIBDIR)/$$d/$$b" "$(DESTDIR)$(PREFIX)/bin/$$b"; \
	done

clean:
	rm -rf userspace/bin module/*.o module/.*.cmd .*.cmd *.o *.ko *.mod *.mod.c \
		Module.symvers modules.order .tmp_versions module/*.mod module/*.mod.c
