// Plain SVG charts for the dashboard. Each chart is one `role="img"` whose aria-label sums it
// up, and beside it a real table with the same numbers, so nothing in a chart is only visual.
// The arithmetic (axes, bands, lines, the summary) is in lib/charts.ts.
import { useId, type ReactNode } from 'react';
import { bands, chartSummary, labelEvery, linePath, scale, valueAxis, type Series } from '../../lib/charts';
import '../../program-data.css';

const WIDTH = 480;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 12, bottom: 36, left: 40 };
/** Colours of up to three series, each at least 4.5:1 against white. */
const SERIES_CLASSES = ['series-0', 'series-1', 'series-2'];

export interface ChartProps {
  /** The chart's title, also its table's caption. */
  title: string;
  /** The categories (weeks, buckets, roles). */
  labels: readonly string[];
  series: readonly Series[];
  /** What the first column of the table is headed. */
  labelHeading: string;
  /** Shown instead of an empty chart. */
  empty?: string;
  /** The level of the chart's heading (3 by default). */
  level?: 3 | 4;
}

/** A chart and its table side by side (stacked on narrow screens), under a heading. */
function ChartFrame({
  title,
  labels,
  series,
  labelHeading,
  empty,
  level = 3,
  children,
}: ChartProps & { children: (summary: string) => ReactNode }) {
  const headingId = useId();
  const Heading = level === 3 ? 'h3' : 'h4';
  const hasData = labels.length > 0;
  const summary = chartSummary(title, labels, series);
  return (
    <section className="chart" aria-labelledby={headingId}>
      <Heading id={headingId}>{title}</Heading>
      {!hasData ? (
        <p className="muted">{empty ?? 'No data yet.'}</p>
      ) : (
        <div className="chart-body">
          <div className="chart-figure">
            {children(summary)}
            {series.length > 1 ? <Legend series={series} /> : null}
          </div>
          <DataTable title={title} labels={labels} series={series} labelHeading={labelHeading} />
        </div>
      )}
    </section>
  );
}

function Legend({ series }: { series: readonly Series[] }) {
  // Hidden from screen readers: the table's column headings say the same.
  return (
    <ul className="chart-legend" aria-hidden="true">
      {series.map((s, i) => (
        <li key={s.name}>
          <span className={`legend-swatch ${SERIES_CLASSES[i % SERIES_CLASSES.length]}`} />
          {s.name}
        </li>
      ))}
    </ul>
  );
}

/** The numbers of a chart as a table: one row per category, one column per series. */
export function DataTable({ title, labels, series, labelHeading }: Omit<ChartProps, 'empty' | 'level'>) {
  return (
    <div className="table-wrap chart-table">
      <table>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{labelHeading}</th>
            {series.map((s) => (
              <th scope="col" key={s.name} className="num">
                {s.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((label, i) => (
            <tr key={`${label}-${i}`}>
              <th scope="row">{label}</th>
              {series.map((s) => (
                <td key={s.name} className="num">
                  {s.values[i] ?? 0}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ValueGrid({ ticks, max, plotWidth, plotHeight }: { ticks: number[]; max: number; plotWidth: number; plotHeight: number }) {
  return (
    <g className="chart-grid">
      {ticks.map((t) => {
        const y = plotHeight - (t / max) * plotHeight;
        return (
          <g key={t}>
            <line x1={0} x2={plotWidth} y1={y} y2={y} />
            <text x={-6} y={y} dy="0.32em" textAnchor="end">
              {t}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function CategoryLabels({ labels, centers, plotHeight }: { labels: readonly string[]; centers: number[]; plotHeight: number }) {
  const every = labelEvery(labels.length, 8);
  return (
    <g className="chart-labels">
      {labels.map((label, i) =>
        i % every === 0 ? (
          <text key={`${label}-${i}`} x={centers[i]} y={plotHeight + 18} textAnchor="middle">
            {label}
          </text>
        ) : null,
      )}
    </g>
  );
}

/** Vertical columns, grouped when there are several series. */
export function ColumnChart(props: ChartProps) {
  const { labels, series } = props;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const axis = valueAxis(series.flatMap((s) => s.values));
  const groups = bands(labels.length, plotWidth, 0.3);
  return (
    <ChartFrame {...props}>
      {(summary) => (
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} className="chart-svg">
          <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
            <ValueGrid ticks={axis.ticks} max={axis.max} plotWidth={plotWidth} plotHeight={plotHeight} />
            {groups.map((g, i) => {
              const inner = bands(series.length, g.width, 0.1);
              return (
                <g key={i} transform={`translate(${g.start},0)`}>
                  {series.map((s, j) => {
                    const h = scale(s.values[i] ?? 0, axis, plotHeight);
                    const b = inner[j];
                    if (!b) return null;
                    return (
                      <rect
                        key={s.name}
                        className={SERIES_CLASSES[j % SERIES_CLASSES.length]}
                        x={b.start}
                        width={b.width}
                        y={plotHeight - h}
                        height={h}
                      />
                    );
                  })}
                </g>
              );
            })}
            <line className="chart-axis" x1={0} x2={plotWidth} y1={plotHeight} y2={plotHeight} />
            <CategoryLabels labels={labels} centers={groups.map((g) => g.center)} plotHeight={plotHeight} />
          </g>
        </svg>
      )}
    </ChartFrame>
  );
}

/** Lines through weekly values, with a dot per week. */
export function LineChart(props: ChartProps) {
  const { labels, series } = props;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const axis = valueAxis(series.flatMap((s) => s.values));
  const slots = bands(labels.length, plotWidth, 0);
  return (
    <ChartFrame {...props}>
      {(summary) => (
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} className="chart-svg">
          <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
            <ValueGrid ticks={axis.ticks} max={axis.max} plotWidth={plotWidth} plotHeight={plotHeight} />
            {series.map((s, j) => {
              const cls = SERIES_CLASSES[j % SERIES_CLASSES.length];
              return (
                <g key={s.name} className={`chart-line ${cls}`}>
                  <path d={linePath(s.values, axis, plotWidth, plotHeight)} />
                  {s.values.map((v, i) => (
                    <circle key={i} cx={slots[i]?.center ?? 0} cy={plotHeight - scale(v, axis, plotHeight)} r={3.5} />
                  ))}
                </g>
              );
            })}
            <line className="chart-axis" x1={0} x2={plotWidth} y1={plotHeight} y2={plotHeight} />
            <CategoryLabels labels={labels} centers={slots.map((g) => g.center)} plotHeight={plotHeight} />
          </g>
        </svg>
      )}
    </ChartFrame>
  );
}

/** Horizontal bars for named categories (one series), each with its value at its end. */
export function BarChart(props: ChartProps) {
  const { labels, series } = props;
  const values = series[0]?.values ?? [];
  const labelWidth = 150;
  const row = 26;
  const height = labels.length * row + 8;
  const plotWidth = WIDTH - labelWidth - 40;
  const axis = valueAxis(values);
  return (
    <ChartFrame {...props}>
      {(summary) => (
        <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={summary} className="chart-svg">
          {labels.map((label, i) => {
            const w = scale(values[i] ?? 0, axis, plotWidth);
            const y = 4 + i * row;
            return (
              <g key={`${label}-${i}`}>
                <text className="chart-bar-label" x={labelWidth - 8} y={y + row / 2 - 2} dy="0.32em" textAnchor="end">
                  {label}
                </text>
                <rect className="series-0" x={labelWidth} y={y + 2} width={w} height={row - 10} />
                <text className="chart-bar-value" x={labelWidth + w + 6} y={y + row / 2 - 2} dy="0.32em">
                  {values[i] ?? 0}
                </text>
              </g>
            );
          })}
          <line className="chart-axis" x1={labelWidth} x2={labelWidth} y1={0} y2={height} />
        </svg>
      )}
    </ChartFrame>
  );
}
