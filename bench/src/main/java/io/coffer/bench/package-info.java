/** Load drivers and benchmarks; run with scripts/bench, never as tests. */
package io.coffer.bench;
