package clientip_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/apisec-go/apisec/clientip"
)

// Behind a load balancer at 10.0.0.0/8 that appends X-Forwarded-For, the
// client is the rightmost address the balancer did not write itself.
func Example() {
	res, err := clientip.New(clientip.Config{
		TrustedProxies: []string{"10.0.0.0/8"},
		Source:         clientip.SourceXForwardedFor,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	h := res.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(clientip.FromRequest(r))
	}))
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.7:51234"
	r.Header.Set("X-Forwarded-For", "127.0.0.1, 198.51.100.7") // the client wrote 127.0.0.1
	h.ServeHTTP(httptest.NewRecorder(), r)
	// Output: 198.51.100.7
}

// Reading a header without naming the proxy that sets it is refused: any
// client could then choose its own address.
func ExampleNew_configError() {
	_, err := clientip.New(clientip.Config{Source: clientip.SourceXForwardedFor})
	fmt.Println(err)
	// Output: clientip: Source: X-Forwarded-For requires at least one TrustedProxies entry; without one the header would never be read
}

// The most common mistake is trusting forwarding headers from everyone. A
// request straight from the internet keeps its own address, whatever it
// claims.
func ExampleResolver_Resolve_spoofing() {
	res := clientip.MustNew(clientip.Config{TrustedProxies: []string{"10.0.0.0/8"}, Source: clientip.SourceXForwardedFor})
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.9:4000"
	r.Header.Set("X-Forwarded-For", "10.0.0.1")
	fmt.Println(res.Resolve(r))
	// Output: 203.0.113.9
}
