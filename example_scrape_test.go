package futures_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/seed72edde46/futures"
)

// page is what scraping one page found.
type page struct {
	id    int
	items int
}

// newShop starts a test server of numbered pages. Page n answers after a few
// milliseconds with "items: 3n"; every tenth page fails with a 500.
func newShop() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/page/"))
		select {
		case <-time.After(time.Duration(n%4) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		if n%10 == 7 {
			http.Error(w, "upstream exploded", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "items: %d", 3*n)
	}))
}

// scrape fetches one page and counts its items.
func scrape(ctx context.Context, client *http.Client, base string, id int) (page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/page/%d", base, id), nil)
	if err != nil {
		return page{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return page{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return page{}, fmt.Errorf("page %d: %s", id, resp.Status)
	}
	var items int
	if _, err := fmt.Sscanf(string(body), "items: %d", &items); err != nil {
		return page{}, fmt.Errorf("page %d: %w", id, err)
	}
	return page{id: id, items: items}, nil
}

// Scrape 20 pages on 8 workers, reporting progress as pages finish, then a
// summary: Python's parallel web scraping, in Go. Each page has 5 seconds.
func Example_scrape() {
	shop := newShop()
	defer shop.Close()

	e := futures.New(8, futures.WithName("scraper"))
	defer e.Close()

	ctx := context.Background()
	const pages = 20
	var fs []*futures.Future[page]
	for id := 1; id <= pages; id++ {
		fs = append(fs, futures.Submit(ctx, e, func(ctx context.Context) (page, error) {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			return scrape(ctx, shop.Client(), shop.URL, id)
		}))
	}

	scraped, failed, items := 0, 0, 0
	for f := range futures.AsCompleted(ctx, fs...) {
		p, err := f.Result(ctx)
		if err != nil {
			failed++
			fmt.Println("error:", err)
			continue
		}
		scraped++
		items += p.items
		fmt.Printf("[%d/%d] pages scraped\n", scraped, pages)
	}
	fmt.Printf("summary: %d successful, %d failed, %d items\n", scraped, failed, items)

	// Unordered output:
	// [1/20] pages scraped
	// [2/20] pages scraped
	// [3/20] pages scraped
	// [4/20] pages scraped
	// [5/20] pages scraped
	// [6/20] pages scraped
	// [7/20] pages scraped
	// [8/20] pages scraped
	// [9/20] pages scraped
	// [10/20] pages scraped
	// [11/20] pages scraped
	// [12/20] pages scraped
	// [13/20] pages scraped
	// [14/20] pages scraped
	// [15/20] pages scraped
	// [16/20] pages scraped
	// [17/20] pages scraped
	// [18/20] pages scraped
	// error: page 7: 500 Internal Server Error
	// error: page 17: 500 Internal Server Error
	// summary: 18 successful, 2 failed, 558 items
}
