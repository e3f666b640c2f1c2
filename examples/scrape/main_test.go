package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seed72edde46/futures"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestParallelScrapesTheShop(t *testing.T) {
	shop := newShop()
	defer shop.Close()
	var urls []string
	for n := 1; n <= 20; n++ {
		urls = append(urls, fmt.Sprintf("%s/page/%d", shop.URL, n))
	}
	e := futures.New(8, futures.WithName("scrape"))
	defer e.Close()
	metrics := newMetricsServer(e)
	defer metrics.Close()

	s := scraper{client: shop.Client(), timeout: 5 * time.Second}
	ok, failed := s.parallel(t.Context(), e, urls)
	assert.Equal(t, 18, ok)
	require.Len(t, failed, 2)
	assert.ErrorContains(t, failed[0], "500 Internal Server Error")

	// Once Close has returned, the executor is at rest and its counts final.
	require.NoError(t, e.Close())
	lines, err := scrapeMetrics(t.Context(), metrics.Client(), metrics.URL+"/metrics")
	require.NoError(t, err)
	assert.Contains(t, lines, `futures_tasks_submitted_total{executor="scrape"} 20`)
	assert.Contains(t, lines, `futures_tasks_succeeded_total{executor="scrape"} 18`)
	assert.Contains(t, lines, `futures_tasks_failed_total{executor="scrape"} 2`)
	assert.Contains(t, lines, `futures_workers{executor="scrape"} 8`)
}

// TestScrapeMetricsSelectsTheShownFamilies scrapes the metrics server after
// tasks ran to the end, and finds one sample of each shown family, in order,
// with the executor's counts and name, and nothing else.
func TestScrapeMetricsSelectsTheShownFamilies(t *testing.T) {
	ctx := t.Context()
	e := futures.New(2, futures.WithName("test"))
	defer e.Close()
	metrics := newMetricsServer(e)
	defer metrics.Close()

	var fs []*futures.Future[struct{}]
	for i := range 5 {
		fs = append(fs, e.Go(ctx, func(context.Context) error {
			if i%2 == 1 {
				return errors.New("boom")
			}
			return nil
		}))
	}
	for i, f := range fs {
		_, err := f.Result(ctx)
		if i%2 == 1 {
			require.EqualError(t, err, "boom")
		} else {
			require.NoError(t, err)
		}
	}
	require.NoError(t, e.Close())

	lines, err := scrapeMetrics(ctx, metrics.Client(), metrics.URL+"/metrics")
	require.NoError(t, err)
	require.Len(t, lines, len(shownMetrics))
	assert.Equal(t, `futures_tasks_submitted_total{executor="test"} 5`, lines[0])
	assert.Equal(t, `futures_tasks_succeeded_total{executor="test"} 3`, lines[1])
	assert.Equal(t, `futures_tasks_failed_total{executor="test"} 2`, lines[2])
	assert.Equal(t, `futures_workers{executor="test"} 2`, lines[3])
	for i, name := range shownMetrics {
		assert.True(t, strings.HasPrefix(lines[i], name+`{executor="test"} `), lines[i])
	}
}

// TestScrapeMetricsReportsAStatus fails on a page that is not a scrape.
func TestScrapeMetricsReportsAStatus(t *testing.T) {
	e := futures.New(1)
	defer e.Close()
	metrics := newMetricsServer(e)
	defer metrics.Close()
	_, err := scrapeMetrics(t.Context(), metrics.Client(), metrics.URL+"/nothing")
	assert.ErrorContains(t, err, "404")
}

func TestFetchTimesOut(t *testing.T) {
	shop := newShop()
	defer shop.Close()
	s := scraper{client: shop.Client(), timeout: time.Millisecond}
	_, err := s.fetch(context.Background(), shop.URL+"/page/4")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestFetchUnknownPage(t *testing.T) {
	shop := newShop()
	defer shop.Close()
	s := scraper{client: shop.Client(), timeout: time.Second}
	_, err := s.fetch(context.Background(), shop.URL+"/nothing")
	assert.ErrorContains(t, err, "404")
}
