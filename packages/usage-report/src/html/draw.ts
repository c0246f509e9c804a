/**
 * The page's own script: draws the charts from the report's data with Chart.js. It runs in the browser,
 * inlined as this function's source text (page.ts), so it refers to nothing outside itself; only types
 * are imported. When it is done, `<body data-ready>` says so (the browser test waits for it); a failure
 * lands in `<body data-error>`.
 */
import type { Chart as ChartJs, ChartConfiguration } from 'chart.js';
import type { ChartData } from '../timeline.js';

export function drawReport(Chart: typeof ChartJs, data: ChartData): void {
  try {
    const palette = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#dc2626', '#0891b2', '#ca8a04', '#db2777'];
    const other = '#9ca3af';
    const colour = (name: string, i: number) => (name.startsWith('other (') ? other : palette[i % palette.length]!);
    const usd = (value: number | string) => `$${Number(value).toLocaleString('en-US', { maximumFractionDigits: 4 })}`;
    const count = (value: number | string) => Number(value).toLocaleString('en-US');
    const unitLabel = data.unit === 'hour' ? 'hour (UTC)' : 'day (UTC)';
    // `2026-12-05T13:00Z` → `12-05 13:00` on the axis; the tooltips keep the full period.
    const tick = (_value: number | string, index: number) => {
      const period = data.periods[index] ?? '';
      return data.unit === 'hour' ? `${period.slice(5, 10)} ${period.slice(11, 16)}` : period;
    };
    const timeAxis = { title: { display: true, text: unitLabel }, ticks: { callback: tick } };

    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

    // Mixed bar and line charts: Chart.js's types want one chart type per configuration.
    type Config = ChartConfiguration<'bar' | 'line', (number | null)[], string>;
    const draw = (id: string, config: Config) => {
      const canvas = document.getElementById(id) as HTMLCanvasElement | null;
      if (canvas) new Chart(canvas, config as ChartConfiguration);
    };

    const stackedBars = (id: string, series: { name: string; values: number[] }[], format: (v: number | string) => string) =>
      draw(id, {
        type: 'bar',
        data: {
          labels: data.periods,
          datasets: series.map((s, i) => ({ label: s.name, data: s.values, backgroundColor: colour(s.name, i), stack: 'all' })),
        },
        options: {
          scales: {
            x: { ...timeAxis, stacked: true },
            y: { stacked: true, beginAtZero: true, ticks: { callback: (v) => format(v) } },
          },
          plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${format(c.parsed.y ?? 0)}` } } },
        },
      });

    stackedBars('cost-by-consumer', data.costByConsumer, usd);
    stackedBars('cost-by-model', data.costByModel, usd);
    stackedBars('tokens-by-consumer', data.tokensByConsumer, count);
    stackedBars('tokens-by-model', data.tokensByModel, count);

    draw('top-consumers', {
      type: 'bar',
      data: {
        labels: data.topConsumers.map((c) => c.name),
        datasets: [{ label: 'cost', data: data.topConsumers.map((c) => c.cost), backgroundColor: palette[0] }],
      },
      options: {
        indexAxis: 'y',
        scales: { x: { beginAtZero: true, ticks: { callback: (v) => usd(v) } } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (c) => {
                const consumer = data.topConsumers[c.dataIndex]!;
                return `${usd(consumer.cost)}, ${count(consumer.requests)} requests, ${count(consumer.tokens)} tokens, ${count(consumer.errors)} errors`;
              },
            },
          },
        },
      },
    });

    draw('errors', {
      type: 'bar',
      data: {
        labels: data.periods,
        datasets: [
          { type: 'bar', label: 'errors', data: data.errors, backgroundColor: '#fca5a5', yAxisID: 'y' },
          {
            type: 'line',
            label: 'error rate',
            data: data.errorRate.map((r) => (r === null ? null : r * 100)),
            borderColor: '#dc2626',
            backgroundColor: '#dc2626',
            yAxisID: 'rate',
            spanGaps: false,
          },
        ],
      },
      options: {
        scales: {
          x: timeAxis,
          y: { beginAtZero: true, position: 'left', title: { display: true, text: 'errors' }, ticks: { precision: 0 } },
          rate: { beginAtZero: true, position: 'right', min: 0, max: 100, title: { display: true, text: 'error rate %' }, grid: { drawOnChartArea: false } },
        },
      },
    });

    const line = (label: string, values: (number | null)[], colour: string, dashed: boolean) => ({
      label,
      data: values,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: dashed ? [6, 4] : [],
      spanGaps: false,
    });
    draw('latency', {
      type: 'line',
      data: {
        labels: data.periods,
        datasets: [
          line('request p50', data.latency.p50, '#2563eb', false),
          line('request p95', data.latency.p95, '#2563eb', true),
          line('TTFT p50', data.ttft.p50, '#16a34a', false),
          line('TTFT p95', data.ttft.p95, '#16a34a', true),
        ],
      },
      options: {
        scales: {
          x: timeAxis,
          y: { beginAtZero: true, title: { display: true, text: 'ms' } },
        },
      },
    });
    document.body.dataset.ready = 'true';
  } catch (error) {
    document.body.dataset.error = String(error);
    throw error;
  }
}
