/*
 * cdn_report_sensitivity.c -- sensitivity.csv, sensitivity_points.csv,
 * sensitivity.gp and manifest.json of a `sensitivity` folder.
 *
 * Design
 *   Each file is one function over the plain-data cdn_report_sens_t.  The
 *   chart is horizontal bars, one row per prior, the most influential at
 *   the top (so long path labels read on the left): Morris draws mu* with
 *   its standard error as an error bar; Sobol draws S1 and ST side by
 *   side, each with an error bar of 1.96 bootstrap standard errors.  The
 *   x range is computed here (0 to the largest bar plus its error, fitted
 *   with cdn_gnuplot_fit_upper) and written into the script, so the
 *   script's numbers are what is drawn; the data are an inline datablock,
 *   so the script alone redraws the figure.
 *
 * Rejected alternatives
 *   - A vertical bar chart: path labels would have to be rotated or cut to
 *     a few characters.
 *   - Reading the CSV from the script: labels with commas and quotes would
 *     need gnuplot's CSV quoting rules; the datablock is written here with
 *     labels made safe for it.
 */
#include "cdn_report_sensitivity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cdn_file.h"
#include "cdn_gnuplot.h"
#include "cdn_report.h"
#include "sim_alloc.h"

#define LABEL_MAX 40

void cdn_report_sens_label(const cdn_priors_t *p, size_t i, char *buf, size_t n)
{
    const char *path = cdn_priors_path(p, i);
    if (strncmp(path, "$.", 2) == 0)
        path += 2;
    size_t len = strlen(path);
    while (len > LABEL_MAX) { /* drop leading segments: "operators.actions[...]" -> "actions[...]" */
        int depth = 0;
        const char *dot = NULL;
        for (const char *q = path; *q && !dot; q++) {
            depth += *q == '[' ? 1 : *q == ']' ? -1 : 0;
            if (*q == '.' && depth == 0)
                dot = q;
        }
        if (dot == NULL)
            break;
        path = dot + 1;
        len = strlen(path);
    }
    if (len > LABEL_MAX)
        snprintf(buf, n, "...%s", path + len - (LABEL_MAX - 3));
    else
        snprintf(buf, n, "%s", path);
}

static int is_sobol(const cdn_report_sens_t *r)
{
    return cdn_sens_method(r->design) == CDN_SENS_SOBOL;
}

static int write_table(const char *dir, const cdn_report_sens_t *r, cdn_error_t *err)
{
    FILE *f = cdn_file_open(dir, "sensitivity.csv");
    if (f == NULL)
        return cdn_file_io_error(err, dir, "sensitivity.csv");
    size_t k = cdn_priors_count(r->priors);
    fputs(is_sobol(r) ? "rank,prior,path,dist,lo,hi,s1,s1_se,st,st_se,rows\n"
                      : "rank,prior,path,dist,lo,hi,mu_star,mu_star_se,mu,sigma,effects\n",
          f);
    for (size_t q = 0; q < k; q++) {
        size_t i = r->order[q];
        const cdn_sens_index_t *x = &r->ix[i];
        char label[LABEL_MAX + 8];
        double lo, hi;
        cdn_report_sens_label(r->priors, i, label, sizeof label);
        cdn_priors_support(r->priors, i, &lo, &hi);
        fprintf(f, "%zu,", q + 1);
        cdn_file_put_csv(f, label);
        fputc(',', f);
        cdn_file_put_csv(f, cdn_priors_path(r->priors, i));
        fprintf(f, ",%s,", cdn_priors_dist_name(cdn_priors_dist(r->priors, i)));
        double v[6] = {lo, hi, x->mu_star, x->mu_star_se, x->mu, x->sigma};
        if (is_sobol(r)) {
            v[2] = x->s1;
            v[3] = x->s1_se;
            v[4] = x->st;
            v[5] = x->st_se;
        }
        cdn_file_put_nums(f, v, 6);
        fprintf(f, ",%zu\n", x->used);
    }
    return cdn_file_finish(f, dir, "sensitivity.csv", err);
}

static int write_points(const char *dir, const cdn_report_sens_t *r, cdn_error_t *err)
{
    FILE *f = cdn_file_open(dir, "sensitivity_points.csv");
    if (f == NULL)
        return cdn_file_io_error(err, dir, "sensitivity_points.csv");
    size_t k = cdn_priors_count(r->priors), np = cdn_sens_npoints(r->design);
    double *v = sim_xcalloc(k ? k : 1, sizeof *v);
    fputs("point", f);
    for (size_t i = 0; i < k; i++)
        fprintf(f, ",u%zu", i + 1);
    for (size_t i = 0; i < k; i++) {
        fputc(',', f);
        cdn_file_put_csv(f, cdn_priors_path(r->priors, i));
    }
    fputc(',', f);
    cdn_file_put_csv(f, r->metric);
    fputc('\n', f);
    for (size_t p = 0; p < np; p++) {
        const double *u = cdn_sens_point(r->design, p);
        cdn_priors_at(r->priors, u, v);
        fprintf(f, "%zu,", p);
        cdn_file_put_nums(f, u, k);
        fputc(',', f);
        cdn_file_put_nums(f, v, k);
        fputc(',', f);
        cdn_file_put_num(f, r->y[p]);
        fputc('\n', f);
    }
    free(v);
    return cdn_file_finish(f, dir, "sensitivity_points.csv", err);
}

/* A label safe inside a gnuplot double-quoted datablock field. */
static void put_dq(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        fputc(*s == '"' || *s == '\\' ? '\'' : *s, f);
    fputc('"', f);
}

static int write_chart(const char *dir, const cdn_report_sens_t *r, cdn_error_t *err)
{
    FILE *f = cdn_file_open(dir, "sensitivity.gp");
    if (f == NULL)
        return cdn_file_io_error(err, dir, "sensitivity.gp");
    size_t k = cdn_priors_count(r->priors);
    int sobol = is_sobol(r);
    double top = 0;
    size_t widest = 10;
    fprintf(f, "# cdnsim sensitivity: %s of %s by prior (%s); redraw: gnuplot sensitivity.gp\n",
            sobol ? "Sobol indices" : "Morris mu*", r->metric, r->scenario_name);
    fputs("# columns: y, label, bar 1, error 1, bar 2, error 2\n$data << EOD\n", f);
    for (size_t q = 0; q < k; q++) {
        size_t i = r->order[q];
        const cdn_sens_index_t *x = &r->ix[i];
        char label[LABEL_MAX + 8];
        cdn_report_sens_label(r->priors, i, label, sizeof label);
        widest = strlen(label) > widest ? strlen(label) : widest;
        double b1 = sobol ? x->s1 : x->mu_star, e1 = sobol ? 1.96 * x->s1_se : x->mu_star_se;
        double b2 = sobol ? x->st : 0, e2 = sobol ? 1.96 * x->st_se : 0;
        top = fmax(top, fmax(b1 + e1, b2 + e2));
        fprintf(f, "%zu ", k - 1 - q);
        put_dq(f, label);
        fprintf(f, " %.9g %.9g %.9g %.9g\n", b1, e1, b2, e2);
    }
    fputs("EOD\n", f);
    double xmax = sobol ? fmax(1.0, cdn_gnuplot_fit_upper(top, 0, 0)) : cdn_gnuplot_fit_upper(top, 0, 0);
    if (!(xmax > 0))
        xmax = 1;
    int h = 140 + 34 * (int)k * (sobol ? 2 : 1);
    cdn_gnuplot_put_outputs(f, "sensitivity", 900, h < 260 ? 260 : h);
    fputs("  set datafile separator whitespace\n  set style fill solid 0.8 border -1\n"
          "  set grid xtics\n", f);
    fputs(sobol ? "  set key outside right top vertical\n" : "  unset key\n  set rmargin 4\n", f);
    fprintf(f, "  set lmargin %zu\n", widest + 3);
    fprintf(f, "  set yrange [-0.7:%g]\n  set xrange [%g:%g]\n", (double)k - 0.3,
            sobol ? fmin(0.0, -0.05) : 0.0, xmax);
    fputs("  set title ", f);
    char title[512];
    snprintf(title, sizeof title, "%s: %s of %s", r->scenario_name,
             sobol ? "Sobol indices" : "Morris elementary effects", r->metric_label);
    cdn_gnuplot_put_string(f, title);
    fputs("\n  set xlabel ", f);
    if (sobol)
        snprintf(title, sizeof title, "share of the variance (bars: 95%% bootstrap interval)");
    else
        snprintf(title, sizeof title, "mu*: mean |change| over a prior's range%s%s (bars: s.e.)",
                 r->metric_unit[0] ? ", " : "", r->metric_unit);
    cdn_gnuplot_put_string(f, title);
    if (sobol)
        fputs("\n  plot $data using (0):($1+0.19):(0):($3):($1+0.02):($1+0.36):ytic(2) "
              "with boxxyerror lc rgb '#4c72b0' title 'first order S1', \\\n"
              "       $data using (0):($1-0.19):(0):($5):($1-0.36):($1-0.02) "
              "with boxxyerror lc rgb '#dd8452' title 'total ST', \\\n"
              "       $data using 3:($1+0.19):4 with xerrorbars pt -1 lc rgb 'black' notitle, \\\n"
              "       $data using 5:($1-0.19):6 with xerrorbars pt -1 lc rgb 'black' notitle\n}\n",
              f);
    else
        fputs("\n  plot $data using (0):1:(0):3:($1-0.3):($1+0.3):ytic(2) "
              "with boxxyerror lc rgb '#4c72b0' title 'mu*', \\\n"
              "       $data using 3:1:4 with xerrorbars pt -1 lc rgb 'black' notitle\n}\n",
              f);
    return cdn_file_finish(f, dir, "sensitivity.gp", err);
}

static int write_manifest(const char *dir, const cdn_report_sens_t *r, cdn_error_t *err)
{
    cJSON *root = cdn_report_manifest_base("sensitivity", r->argc, r->argv, r->scenario_path,
                                           r->scenario_sha256);
    cJSON *scn = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(scn, "path", r->scenario_path);
    cJSON_AddStringToObject(scn, "name", r->scenario_name);
    cJSON_AddStringToObject(scn, "sha256", r->scenario_sha256);
    cJSON_AddStringToObject(root, "strategy", r->strategy);
    cJSON *sets = cJSON_AddArrayToObject(root, "set");
    for (size_t i = 0; i < r->nsets; i++)
        cJSON_AddItemToArray(sets, cJSON_CreateString(r->sets[i]));
    cJSON_AddStringToObject(root, "metric", r->metric);
    if (r->function)
        cJSON_AddStringToObject(root, "function", r->function);
    int sobol = is_sobol(r);
    cJSON_AddStringToObject(root, "method", sobol ? "sobol" : "morris");
    if (sobol) {
        cJSON_AddNumberToObject(root, "samples", (double)r->samples);
        cJSON_AddNumberToObject(root, "bootstrap", (double)r->nboot);
    } else {
        cJSON_AddNumberToObject(root, "trajectories", (double)r->trajectories);
        cJSON_AddNumberToObject(root, "levels", (double)r->levels);
    }
    cJSON_AddNumberToObject(root, "points", (double)cdn_sens_npoints(r->design));
    cJSON_AddItemToObject(root, "seed", cdn_file_json_u64(r->seed));
    cJSON_AddItemToObject(root, "replications", cdn_file_json_u64(r->replications));
    cJSON_AddNumberToObject(root, "jobs", (double)r->jobs);
    cJSON_AddItemToObject(root, "metric_variance", cdn_file_json_num(r->var));
    cJSON_AddItemToObject(root, "wall_s", cdn_file_json_num(r->wall_s));
    cJSON *pri = cJSON_AddArrayToObject(root, "priors");
    for (size_t i = 0; i < cdn_priors_count(r->priors); i++) {
        cJSON_AddItemToArray(pri, cdn_priors_json(r->priors, i));
    }
    int rc = cdn_file_write_json(dir, "manifest.json", root, err);
    cJSON_Delete(root);
    return rc;
}

int cdn_report_sensitivity(const char *dir, const cdn_report_sens_t *r, cdn_error_t *err)
{
    int rc = write_table(dir, r, err);
    if (rc == 0)
        rc = write_points(dir, r, err);
    if (rc == 0)
        rc = write_chart(dir, r, err);
    if (rc == 0)
        rc = write_manifest(dir, r, err);
    return rc;
}
