/* For the clock-step tests: libfaketime 0.9.10 with FAKETIME_DONT_FAKE_MONOTONIC breaks
   clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) (wolfcw/libfaketime#426), which Python >= 3.11
   uses for time.sleep. The monotonic clock is not faked there, so such sleeps go straight to
   the kernel; the others to libfaketime. Preloaded before libfaketime. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int clock_nanosleep(clockid_t clock_id, int flags, const struct timespec *req, struct timespec *rem) {
    if (clock_id == CLOCK_MONOTONIC || clock_id == CLOCK_BOOTTIME) {
        return syscall(SYS_clock_nanosleep, clock_id, flags, req, rem) == 0 ? 0 : errno;
    }
    int (*next)(clockid_t, int, const struct timespec *, struct timespec *) = dlsym(RTLD_NEXT, "clock_nanosleep");
    return next(clock_id, flags, req, rem);
}
