package main

import (
	"context"
	"fmt"
	"testing"
	"time"

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
	s := scraper{client: shop.Client(), timeout: 5 * time.Second}
	ok, failed := s.parallel(context.Background(), urls, 8)
	assert.Equal(t, 18, ok)
	require.Len(t, failed, 2)
	assert.ErrorContains(t, failed[0], "500 Internal Server Error")
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
