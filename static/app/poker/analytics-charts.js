// The analytics charts, drawn by Chart.js (static/package.json). Each chart is a canvas
// with a text summary for screen readers; the page shows the same numbers as tables.
import {
  BarController, BarElement, CategoryScale, Chart, LinearScale, LineController, LineElement,
  PointElement, Tooltip,
} from "/vendor/chart.js/dist/chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement,
  PointElement, Tooltip);

function palette() {
  const css = getComputedStyle(document.documentElement);
  const get = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return {
    accent: get("--accent", "#4f46e5"),
    soft: "#a5b4fc",
    ink: get("--ink", "#1d2433"),
    muted: get("--muted", "#5b6475"),
    line: get("--line", "#dde1ea"),
    warn: get("--warn", "#b45309"),
  };
}

function baseOptions(colors, { yTitle, yMax, stepSize }) {
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: still ? false : { duration: 300 },
    layout: { padding: { top: 8, right: 8 } },
    plugins: { legend: { display: false }, tooltip: { enabled: true } },
    scales: {
      x: { ticks: { color: colors.muted, autoSkip: true, maxRotation: 0 }, grid: { display: false } },
      y: {
        beginAtZero: true,
        max: yMax,
        ticks: { color: colors.muted, precision: 0, stepSize },
        grid: { color: colors.line },
        title: { display: Boolean(yTitle), text: yTitle, color: colors.muted },
      },
    },
  };
}

/** Short labels for the x axis: the story's place in the queue, its title in the tooltip. */
function storyLabel(point) { return `#${point.position}`; }

/** Stories per final estimate; the most common estimate in the accent colour. */
export function distributionChart(canvas, distribution) {
  const colors = palette();
  const top = Math.max(...distribution.map((d) => d.count));
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: distribution.map((d) => d.value),
      datasets: [{
        label: "Stories",
        data: distribution.map((d) => d.count),
        backgroundColor: distribution.map((d) => (d.count === top ? colors.accent : colors.soft)),
        borderRadius: 6,
        maxBarThickness: 56,
      }],
    },
    options: baseOptions(colors, { yTitle: "Stories", stepSize: 1 }),
  });
}

/** Agreement of each estimated story in order, 0–100 %. */
export function trendChart(canvas, trend) {
  const colors = palette();
  const options = baseOptions(colors, { yTitle: "Agreement (%)", yMax: 100, stepSize: 25 });
  options.plugins.tooltip.callbacks = {
    title: (items) => trend[items[0].dataIndex].title,
    label: (item) => `${item.parsed.y}% agreement`,
  };
  return new Chart(canvas, {
    type: "line",
    data: {
      labels: trend.map(storyLabel),
      datasets: [{
        label: "Agreement",
        data: trend.map((t) => t.agreement),
        borderColor: colors.accent,
        backgroundColor: colors.accent,
        pointRadius: 4,
        tension: 0.2,
      }],
    },
    options,
  });
}

/** Time from start to reveal per estimated story, in seconds or minutes. */
export function timeChart(canvas, stories) {
  const colors = palette();
  const longest = Math.max(0, ...stories.map((s) => s.seconds_to_estimate || 0));
  const minutes = longest >= 180;
  const options = baseOptions(colors, { yTitle: minutes ? "Minutes" : "Seconds" });
  options.plugins.tooltip.callbacks = { title: (items) => stories[items[0].dataIndex].title };
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: stories.map(storyLabel),
      datasets: [{
        label: minutes ? "Minutes" : "Seconds",
        data: stories.map((s) => {
          const secs = s.seconds_to_estimate || 0;
          return minutes ? Math.round(secs / 6) / 10 : secs;
        }),
        backgroundColor: stories.map((s) => (s.rounds > 1 ? colors.warn : colors.soft)),
        borderRadius: 6,
        maxBarThickness: 48,
      }],
    },
    options,
  });
}
