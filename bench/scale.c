/*
 * scale.c -- the scaling curve: one replication of a scenario at growing
 * sizes (servers x sites over two orders of magnitude), each in its own
 * process so that its peak resident memory is its own.
 *
 * Usage: scale [SCENARIO] [-o DIR] [--factors f1,f2,...] [--seed N]
 *   SCENARIO defaults to scenarios/scale/full.json; factor f scales every
 *   region's servers (at least 1) and the number of sites.  Writes
 *   DIR/scale.csv (factor, servers, sites, kernel_events, wall_s,
 *   peak_rss_mb) and DIR/scale.gp, draws DIR/scale.png with gnuplot when
 *   it is on PATH, and prints the table and the log-log slopes of wall time
 *   and memory against servers (least squares).  Default DIR: results/scale.
 *
 * The scenario is loaded and validated once; each size changes the plain
 * scenario data of a child process's copy (regions[].servers, sites.count)
 * and runs cdn_world_run there.
 */
/* wait4() (each child's own peak memory) is a BSD/GNU extension. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cdn_file.h"
#include "cdn_gnuplot.h"
#include "cdn_scenario.h"
#include "cdn_world.h"

#define MAX_FACTORS 32

typedef struct point {
    double factor;
    uint64_t servers, sites, events;
    double wall_s, rss_mb;
} point_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* In the child: scale the scenario, run, write "events wall" to fd. */
static int child_run(cdn_scenario_t *s, double f, uint64_t seed, int fd)
{
    for (size_t r = 0; r < s->nregions; r++) {
        double n = round((double)s->regions[r].servers * f);
        s->regions[r].servers = n < 1 ? 1 : (uint32_t)n;
    }
    double sites = round((double)s->sites.count * f);
    s->sites.count = sites < 1 ? 1 : (uint32_t)sites;
    cdn_result_t *res = NULL;
    cdn_error_t err;
    double t0 = now_s();
    if (cdn_world_run(s, seed, 0, &res, &err) != 0) {
        fprintf(stderr, "scale: %s\n", err.msg);
        return 1;
    }
    double t1 = now_s();
    char line[128];
    int n = snprintf(line, sizeof line, "%" PRIu64 " %.6f\n", res->kernel_events, t1 - t0);
    cdn_result_destroy(res);
    return write(fd, line, (size_t)n) == n ? 0 : 1;
}

static int measure(cdn_scenario_t *s, double f, uint64_t seed, point_t *pt)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fds[0]);
        _exit(child_run(s, f, seed, fds[1]));
    }
    close(fds[1]);
    char buf[128] = "";
    ssize_t got = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || status != 0 || got <= 0)
        return -1;
    buf[got] = '\0';
    if (sscanf(buf, "%" SCNu64 " %lf", &pt->events, &pt->wall_s) != 2)
        return -1;
    pt->rss_mb = (double)ru.ru_maxrss / 1024.0;
    pt->factor = f;
    pt->servers = 0;
    for (size_t r = 0; r < s->nregions; r++) {
        double n = round((double)s->regions[r].servers * f);
        pt->servers += n < 1 ? 1 : (uint64_t)n;
    }
    double sites = round((double)s->sites.count * f);
    pt->sites = sites < 1 ? 1 : (uint64_t)sites;
    return 0;
}

/* Least-squares slope of log(y) against log(x). */
static double loglog_slope(const point_t *p, size_t n, int memory)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        double x = log((double)p[i].servers), y = log(memory ? p[i].rss_mb : p[i].wall_s);
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    double d = (double)n * sxx - sx * sx;
    return d != 0 ? ((double)n * sxy - sx * sy) / d : NAN;
}

int main(int argc, char **argv)
{
    const char *path = "scenarios/scale/full.json", *dir = "results/scale";
    double factors[MAX_FACTORS] = {0.01, 0.0316, 0.1, 0.316, 1.0};
    size_t nf = 5;
    uint64_t seed = 1;
    gsl_set_error_handler_off();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--factors") == 0 && i + 1 < argc) {
            nf = 0;
            for (char *tok = strtok(argv[++i], ","); tok && nf < MAX_FACTORS; tok = strtok(NULL, ","))
                factors[nf++] = strtod(tok, NULL);
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            puts("usage: scale [SCENARIO] [-o DIR] [--factors f1,f2,...] [--seed N]");
            return 0;
        } else if (argv[i][0] != '-') {
            path = argv[i];
        } else {
            fprintf(stderr, "scale: unknown option '%s'\n", argv[i]);
            return 64;
        }
    }
    for (size_t i = 0; i < nf; i++)
        if (!(factors[i] > 0)) {
            fprintf(stderr, "scale: factors must be > 0\n");
            return 64;
        }
    cdn_scenario_t *s = NULL;
    cdn_error_t err;
    if (cdn_scenario_load(path, &s, &err) != 0) {
        fprintf(stderr, "scale: %s\n", err.msg);
        return 65;
    }
    point_t pts[MAX_FACTORS];
    printf("%-8s %10s %12s %12s %9s %8s\n", "factor", "servers", "sites", "events", "wall_s",
           "rss_mb");
    for (size_t i = 0; i < nf; i++) {
        if (measure(s, factors[i], seed, &pts[i]) != 0) {
            fprintf(stderr, "scale: the run at factor %g failed\n", factors[i]);
            cdn_scenario_destroy(s);
            return 70;
        }
        printf("%-8g %10" PRIu64 " %12" PRIu64 " %12" PRIu64 " %9.3f %8.1f\n", pts[i].factor,
               pts[i].servers, pts[i].sites, pts[i].events, pts[i].wall_s, pts[i].rss_mb);
        fflush(stdout);
    }
    printf("log-log slope vs servers: wall time %.3f, peak memory %.3f\n",
           loglog_slope(pts, nf, 0), loglog_slope(pts, nf, 1));

    mkdir(dir, 0777); /* results/ exists in the tree; -o DIR's parent must exist */
    FILE *f = cdn_file_open(dir, "scale.csv");
    if (!f) {
        cdn_file_io_error(&err, dir, "scale.csv");
        fprintf(stderr, "scale: %s\n", err.msg);
        cdn_scenario_destroy(s);
        return 74;
    }
    fputs("factor,servers,sites,kernel_events,wall_s,peak_rss_mb\n", f);
    for (size_t i = 0; i < nf; i++)
        fprintf(f, "%g,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.6f,%.1f\n", pts[i].factor,
                pts[i].servers, pts[i].sites, pts[i].events, pts[i].wall_s, pts[i].rss_mb);
    cdn_file_close(f);
    f = cdn_file_open(dir, "scale.gp");
    if (f) {
        fprintf(f, "# cdnsim scaling curve of %s; draw with: gnuplot scale.gp (in this folder)\n"
                   "set terminal pngcairo size 1000,650 font 'sans,11'\n"
                   "set output 'scale.png'\n"
                   "set datafile separator ','\n"
                   "set logscale xy\nset grid\nset key top left box opaque\n"
                   "set xlabel 'servers (sites = 100 x servers)'\n"
                   "set ylabel 'wall time of one replication (s)'\n"
                   "set y2label 'peak resident memory (MB)'\nset ytics nomirror\nset y2tics\n"
                   "set logscale y2\n"
                   "set title 'cdnsim: one replication at growing size (wall slope %.2f, memory slope %.2f)'\n"
                   "plot 'scale.csv' every ::1 using 2:5 with linespoints lw 2 title 'wall time', \\\n"
                   "     '' every ::1 using 2:6 axes x1y2 with linespoints lw 2 title 'peak memory'\n",
                s->name, loglog_slope(pts, nf, 0), loglog_slope(pts, nf, 1));
        cdn_file_close(f);
        if (cdn_gnuplot_run(dir, "scale.gp", &err) == 0)
            printf("%s/scale.csv, %s/scale.png\n", dir, dir);
        else
            printf("%s/scale.csv, %s/scale.gp\n", dir, dir);
    }
    cdn_scenario_destroy(s);
    return 0;
}
