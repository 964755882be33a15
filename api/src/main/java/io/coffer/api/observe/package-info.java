/**
 * What operators scrape from {@code /observe/metrics} (Prometheus text): {@link io.coffer.api.observe.NodeMetrics} (chains,
 * withdrawals, webhooks, custody, store, backups, live pages and streams: figures read when scraped) and
 * {@link io.coffer.api.observe.CallMetrics} (every gRPC call counted by method and status, timed in a histogram). The README
 * lists each with a suggested alert; {@code docker/prometheus-rules.yaml} holds those alerts.
 */
package io.coffer.api.observe;
