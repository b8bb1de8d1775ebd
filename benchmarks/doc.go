// Package benchmarks runs apisec side by side with the libraries users would
// otherwise pick. It is a separate module so that peers never enter the
// main module's dependencies; see BENCHMARKS.md and the run script.
package benchmarks
