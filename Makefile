# Makefile — loop: PostgreSQL extension (PGXS) + the loop-sync worker
#
#   make / make install     build and install the extension and worker/loop-sync
#   make check              fresh-machine test run: deps, build, install, own cluster,
#                           pg_regress suites and end-to-end worker tests
#   make demo               deps, build, install, throwaway cluster + fake HubSpot,
#                           one sync, a partner's dashboard (make demo-stop ends it)
#   make bench              benchmark of loop-sync against a generated portal
#
# PGXS defines its own 'check' target ("not supported"); the script goals below
# replace it, so PGXS is only included for the build goals.

EXTENSION   = loop
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)
PG_CONFIG  ?= pg_config
PREFIX     ?= /usr/local

SCRIPT_GOALS = check demo demo-stop bench deps

ifneq ($(filter $(SCRIPT_GOALS),$(MAKECMDGOALS)),)

.PHONY: $(SCRIPT_GOALS)
deps:
	@scripts/install-deps.sh
check: deps
	$(MAKE) all
	$(MAKE) install
	test/run-check.sh
demo: deps
	$(MAKE) all
	$(MAKE) install
	test/demo.sh start
demo-stop:
	test/demo.sh stop
bench: deps
	$(MAKE) all
	$(MAKE) install
	test/bench.sh

else

MODULE_big  = $(EXTENSION)
OBJS        = $(patsubst %.c,%.o,$(wildcard src/*.c))
DATA_built  = $(EXTENSION)--$(EXTVERSION).sql
SQL_PARTS   = $(sort $(wildcard sql/[0-9]*.sql))
PG_CPPFLAGS = -DLOOP_VERSION=\"$(EXTVERSION)\"
PG_CFLAGS   = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
EXTRA_CLEAN = results regression.diffs regression.out tmp_check

# pg_regress suites: test/sql/*.sql against test/expected/*.out (pgvector layout)
TESTS        = $(sort $(wildcard test/sql/*.sql))
REGRESS      = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --load-extension=pgcrypto --load-extension=$(EXTENSION)

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(DATA_built): $(SQL_PARTS) $(EXTENSION).control
	cat $(SQL_PARTS) > $@

all: worker
install: install-worker
clean: clean-worker

.PHONY: worker install-worker clean-worker
worker:
	$(MAKE) -C worker PG_CONFIG=$(PG_CONFIG)
install-worker: worker
	$(MAKE) -C worker install PREFIX=$(PREFIX)
clean-worker:
	$(MAKE) -C worker clean

endif
