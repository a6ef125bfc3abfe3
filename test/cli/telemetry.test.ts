import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry, tempDir } from './cli-harness.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number; boolValue?: boolean } }[];
}

/** A minimal OTLP/HTTP JSON receiver on loopback: collects what ferry exports. */
function receiver(): Promise<{ server: Server; url: string; spans: OtlpSpan[]; metrics: string[] }> {
  const spans: OtlpSpan[] = [];
  const metrics: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const json = JSON.parse(body || '{}');
      if (req.url === '/v1/traces') {
        for (const rs of json.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...ss.spans);
      } else if (req.url === '/v1/metrics') {
        for (const rm of json.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) metrics.push(...sm.metrics.map((m: { name: string }) => m.name));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, metrics })));
}

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.intValue ?? v?.boolValue;
};

describe('OpenTelemetry', () => {
  const tmp = tempDir('otel');
  let otlp: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    otlp = await receiver();
  });
  afterAll(() => {
    otlp.server.close();
    tmp.cleanup();
  });

  it('exports one trace per run: run → table → partition → load/verify, with run, table and partition attributes', async () => {
    const r = await ferry(['demo', '--rows', '3000', '--partition-rows', '1000', '--dir', tmp.path, '--json'], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'ferry-test' },
    });
    expect(r.code).toBe(0);
    const runId = JSON.parse(r.stdout).report.runId;
    const byName = (n: string) => otlp.spans.filter((s) => s.name === n);
    const [run] = byName('ferry.run');
    expect(run).toBeDefined();
    expect(attr(run!, 'ferry.run')).toBe(runId);
    expect(byName('ferry.plan')[0]!.parentSpanId).toBe(run!.spanId);
    const tables = byName('ferry.table');
    expect(tables.map((t) => attr(t, 'ferry.table')).sort()).toEqual(['customers', 'orders']);
    for (const t of tables) expect(t.parentSpanId).toBe(run!.spanId);
    const partitions = byName('ferry.partition');
    expect(partitions.length).toBe(4);
    for (const p of partitions) {
      expect(p.traceId).toBe(run!.traceId);
      expect(tables.map((t) => t.spanId)).toContain(p.parentSpanId);
      expect(attr(p, 'ferry.run')).toBe(runId);
      expect(attr(p, 'ferry.verified')).toBe(true);
      const children = otlp.spans.filter((s) => s.parentSpanId === p.spanId).map((s) => s.name).sort();
      expect(children).toEqual(['ferry.load', 'ferry.verify']);
    }
    const loads = byName('ferry.load');
    expect(loads.reduce((n, s) => n + Number(attr(s, 'ferry.rows')), 0)).toBe(4000);
    expect(otlp.metrics).toContain('ferry.rows');
    expect(otlp.metrics).toContain('ferry.partition.duration');
  });
});
