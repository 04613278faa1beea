/*-------------------------------------------------------------------------
 *
 * test/worker/test_daemon.c
 *	  Unit tests of the daemon's schedule: the next full hour (UTC).
 *
 *-------------------------------------------------------------------------
 */
#include "daemon.h"

#include "unit.h"

int
main(void)
{
	check("epoch", daemon_next_hour(0), 3600);
	check("one second before the hour", daemon_next_hour(3599), 3600);
	check("exactly on the hour: the next one", daemon_next_hour(3600), 7200);
	/* 2026-11-21 12:59:59 UTC = 1795265999 -> 13:00:00 = 1795266000 */
	check("2026-11-21 12:59:59", daemon_next_hour(1795265999), 1795266000);
	/* 2026-11-21 13:00:01 UTC -> 14:00:00 = 1795269600 */
	check("2026-11-21 13:00:01", daemon_next_hour(1795266001), 1795269600);
	/* end of a day: 2026-12-31 23:30:00 UTC = 1798759800 -> 2027-01-01 00:00:00 = 1798761600 */
	check("new year", daemon_next_hour(1798759800), 1798761600);
	printf("test_daemon: %d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
