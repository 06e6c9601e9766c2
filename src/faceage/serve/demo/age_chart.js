// A face's predicted age distribution as a small bar chart (SVG): one bar per age 0..100,
// the 90% interval in the accent colour, a line at the expected age.

const SVG = 'http://www.w3.org/2000/svg';
const BAR = 4;            // width of one age's bar, in chart units
const PLOT_HEIGHT = 120;
const AXIS_HEIGHT = 18;
const SIDE = 12;          // room for the first and last tick labels

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

// Replaces the content of `container` with the chart of `face.age_distribution`.
export function drawAgeChart(container, face) {
  const probabilities = face.age_distribution;
  const width = probabilities.length * BAR;
  const highest = Math.max(...probabilities, 1e-9);
  const [low, high] = face.age_interval;
  const chart = svgElement('svg', {
    viewBox: `${-SIDE} 0 ${width + 2 * SIDE} ${PLOT_HEIGHT + AXIS_HEIGHT}`,
    class: 'age-chart',
    role: 'img',
    'aria-label': `Bar chart of the probability of each age from 0 to ${probabilities.length - 1}; ` +
                  `the most likely age is ${probabilities.indexOf(Math.max(...probabilities))}.`,
  });
  probabilities.forEach((p, age) => {
    const height = PLOT_HEIGHT * p / highest;
    const bar = svgElement('rect', {
      x: age * BAR + 0.5, y: PLOT_HEIGHT - height, width: BAR - 1, height,
      class: age >= low && age <= high ? 'bar in-interval' : 'bar',
    });
    const title = svgElement('title', {});
    title.textContent = `age ${age}: ${(100 * p).toFixed(1)}%`;
    bar.append(title);
    chart.append(bar);
  });
  const expected = face.age * BAR + BAR / 2;
  chart.append(svgElement('line', { x1: expected, x2: expected, y1: 0, y2: PLOT_HEIGHT, class: 'expected-age' }));
  chart.append(svgElement('line', { x1: 0, x2: width, y1: PLOT_HEIGHT, y2: PLOT_HEIGHT, class: 'axis' }));
  for (let age = 0; age < probabilities.length; age += 10) {
    const tick = svgElement('text', { x: age * BAR + BAR / 2, y: PLOT_HEIGHT + 14, class: 'tick' });
    tick.textContent = String(age);
    chart.append(tick);
  }
  container.replaceChildren(chart);
}
