// Command scrape fetches pages in parallel on a futures.Executor, prints a line
// as each one finishes, and compares the time with fetching them one by one.
// Last it prints a few lines of what Prometheus would scrape from the
// executor's futuresprom collector: the counts a dashboard would plot.
//
// The demo is a module of its own (examples/), so that the futures module
// needs nothing outside the standard library. From the repository's root,
// with no arguments it scrapes 20 pages of a local test shop, where pages take
// 50 to 200 ms and 2 of the 20 fail on purpose, to show how errors come back:
//
//	go -C examples run ./scrape
//
// With arguments it fetches those URLs instead:
//
//	go -C examples run ./scrape https://go.dev https://pkg.go.dev
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/seed72edde46/futures"
	"github.com/seed72edde46/futures/futuresprom"
)

func main() {
	workers := flag.Int("workers", 8, "how many pages to fetch at once")
	timeout := flag.Duration("timeout", 5*time.Second, "how long one page may take")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: scrape [-workers N] [-timeout D] [URL ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *workers < 1 {
		log.Fatal("scrape: -workers must be at least 1")
	}

	urls := flag.Args()
	client := http.DefaultClient
	note := ""
	if len(urls) == 0 {
		note = " of a local test shop (2 of 20 fail on purpose)"
		shop := newShop()
		defer shop.Close()
		client = shop.Client()
		for n := 1; n <= 20; n++ {
			urls = append(urls, fmt.Sprintf("%s/page/%d", shop.URL, n))
		}
	}

	// The executor is named: the name is the label "executor" of its series.
	e := futures.New(*workers, futures.WithName("scrape"))
	defer e.Close()
	metrics := newMetricsServer(e)
	defer metrics.Close()

	s := scraper{client: client, timeout: *timeout}
	ctx := context.Background()

	fmt.Printf("Scraping %d pages%s on %d workers\n", len(urls), note, *workers)
	start := time.Now()
	ok, failed := s.parallel(ctx, e, urls)
	parallel := time.Since(start)
	// Shut down, so that the counts scraped below are final.
	if err := e.Close(); err != nil {
		log.Fatal("scrape: ", err)
	}
	fmt.Printf("\n%d fetched, %d failed in %v\n", ok, len(failed), parallel.Round(time.Millisecond))
	for _, err := range failed {
		fmt.Println("  ", err)
	}

	fmt.Println("\nThe same pages one by one...")
	start = time.Now()
	for _, u := range urls {
		_, _ = s.fetch(ctx, u)
	}
	sequential := time.Since(start)
	fmt.Printf("one by one: %v; in parallel: %v; speed-up %.1fx\n",
		sequential.Round(time.Millisecond), parallel.Round(time.Millisecond),
		float64(sequential)/float64(parallel))

	lines, err := scrapeMetrics(ctx, metrics.Client(), metrics.URL+"/metrics")
	if err != nil {
		log.Fatal("scrape: ", err)
	}
	fmt.Println("\nMetrics (a Prometheus scrape of futuresprom's collector):")
	for _, l := range lines {
		fmt.Println("  ", l)
	}
	if len(failed) == len(urls) {
		os.Exit(1)
	}
}

// scraper fetches pages.
type scraper struct {
	client  *http.Client
	timeout time.Duration
}

// result is what fetching one URL found.
type result struct {
	url   string
	bytes int
}

// parallel fetches urls on the executor and prints progress as pages finish; it
// returns how many succeeded and the errors of the others.
func (s scraper) parallel(ctx context.Context, e *futures.Executor, urls []string) (int, []error) {
	fs := make([]*futures.Future[result], len(urls))
	for i, u := range urls {
		fs[i] = futures.Submit(ctx, e, func(ctx context.Context) (result, error) {
			return s.fetch(ctx, u)
		})
	}
	var failed []error
	done := 0
	for f := range futures.AsCompleted(ctx, fs...) {
		done++
		r, err := f.Result(ctx)
		if err != nil {
			failed = append(failed, err)
			fmt.Printf("[%d/%d] error: %v\n", done, len(urls), err)
			continue
		}
		fmt.Printf("[%d/%d] %s: %d bytes\n", done, len(urls), r.url, r.bytes)
	}
	return len(urls) - len(failed), failed
}

// fetch gets one URL within the scraper's timeout.
func (s scraper) fetch(ctx context.Context, url string) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return result{}, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return result{}, fmt.Errorf("%s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return result{}, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return result{url: url, bytes: int(n)}, nil
}

// newShop starts a local shop of numbered pages: page n takes 50 to 200 ms, and
// pages 7 and 17 fail.
func newShop() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/page/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		select {
		case <-time.After(time.Duration(50+(n*37)%151) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		if n%10 == 7 {
			http.Error(w, "the shop is on fire", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "<html><body>page %d: %s</body></html>", n, strings.Repeat("item ", 3*n))
	}))
}

// newMetricsServer serves, at /metrics on a local port, a registry of its own
// that holds a futuresprom collector of e: what a service exposes for
// Prometheus to scrape.
func newMetricsServer(e *futures.Executor) *httptest.Server {
	reg := prometheus.NewRegistry()
	reg.MustRegister(futuresprom.NewCollector(e))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return httptest.NewServer(mux)
}

// shownMetrics names the metric families that the demo prints, in order.
var shownMetrics = []string{
	"futures_tasks_submitted_total",
	"futures_tasks_succeeded_total",
	"futures_tasks_failed_total",
	"futures_workers",
	"futures_queue_wait_seconds_total",
	"futures_task_run_seconds_total",
}

// scrapeMetrics gets the text exposition at url, as Prometheus does, and
// returns its samples of the shownMetrics families, in that order; comments
// (# HELP, # TYPE) and other families are left out.
func scrapeMetrics(ctx context.Context, client *http.Client, url string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	samples := map[string][]string{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// A sample is the name, then labels in braces or a space and the value.
		name, _, _ := strings.Cut(line, " ")
		name, _, _ = strings.Cut(name, "{")
		samples[name] = append(samples[name], line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	var lines []string
	for _, name := range shownMetrics {
		lines = append(lines, samples[name]...)
	}
	return lines, nil
}
