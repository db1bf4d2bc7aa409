/** Rows of period returns, every period any session has, in order. */
export function periodRows(series: { period: string; value: string | null }[][]): { key: string; values: (string | null | undefined)[] }[] {
  const periods = [...new Set(series.flatMap((returns) => returns.map((item) => item.period)))].sort();
  const lookup = series.map((returns) => new Map(returns.map((item) => [item.period, item.value])));
  return periods.map((period) => ({ key: period, values: lookup.map((map) => map.get(period)) }));
}
