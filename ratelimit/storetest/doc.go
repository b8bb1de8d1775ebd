// Package storetest checks that a [ratelimit.Store] implementation behaves
// as the limiter relies on, as testing/slogtest does for slog handlers.
//
// Call [Run] from a test of your store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) ratelimit.Store { return newMyStore(t) })
//	}
//
// The suite uses quotas per hour, so it holds for stores with their own
// clock (such as a Redis server's) as long as each subtest runs in well
// under a minute.
package storetest
