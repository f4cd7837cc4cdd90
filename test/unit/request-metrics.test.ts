import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestMetrics } from '../../src/platform/request-metrics.js';

describe('request metrics', () => {
  it('renders cumulative buckets, sum and count per method, route and status', async () => {
    const registry = new Registry();
    const m = new RequestMetrics(registry);
    for (const s of [0.0005, 0.002, 0.002, 0.3, 7]) m.observe('GET', '/v5/pins/:pin_id', 200, s);
    m.observe('POST', '/v5/pins', 400, 0.004);
    const text = await registry.metrics();
    const get = 'method="GET",route="/v5/pins/:pin_id",status="200"';
    expect(text).toContain(`corkboard_http_requests_total{${get}} 5`);
    expect(text).toContain('corkboard_http_requests_total{method="POST",route="/v5/pins",status="400"} 1');
    expect(text).toContain(`corkboard_http_request_duration_seconds_bucket{le="0.001",${get}} 1`);
    expect(text).toContain(`corkboard_http_request_duration_seconds_bucket{le="0.0025",${get}} 3`);
    expect(text).toContain(`corkboard_http_request_duration_seconds_bucket{le="0.25",${get}} 3`);
    expect(text).toContain(`corkboard_http_request_duration_seconds_bucket{le="0.5",${get}} 4`);
    expect(text).toContain(`corkboard_http_request_duration_seconds_bucket{le="5",${get}} 4`);
    expect(text).toContain(`corkboard_http_request_duration_seconds_bucket{le="+Inf",${get}} 5`);
    expect(text).toContain(`corkboard_http_request_duration_seconds_count{${get}} 5`);
    const sum = Number(
      text.match(/corkboard_http_request_duration_seconds_sum\{method="GET"[^}]*\} (\S+)/)![1],
    );
    expect(sum).toBeCloseTo(7.3045, 6);
    expect(text).toMatch(/# TYPE corkboard_http_request_duration_seconds histogram/);
  });
});
