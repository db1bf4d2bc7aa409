import { describe, expect, it } from "vitest";

import { stateFromTemplate } from "./fromTemplate";

describe("stateFromTemplate", () => {
  it("fills a backtest's strategy, parameters, symbols, period, cash and preset in", () => {
    const state = stateFromTemplate({
      type: "backtest",
      config: {
        startTime: "2012-01-03T14:30:00Z",
        endTime: "2012-06-29T21:00:00Z",
        initialCash: "25000",
        execution: { preset: "ideal" },
        strategy: { name: "sma_crossover", params: { fast: 5, slow: 20, flag: true }, symbols: ["AAPL", "MSFT"] },
      },
    });
    expect(state.kind).toBe("backtest");
    expect(state.strategy).toBe("sma_crossover");
    expect(state.params).toEqual({ sma_crossover: { fast: "5", slow: "20", flag: true } });
    expect(state.symbols).toEqual(["AAPL", "MSFT"]);
    expect([state.start, state.end]).toEqual(["2012-01-03", "2012-06-29"]);
    expect(state.initialCash).toBe("25000");
    expect(state.execution.preset).toBe("ideal");
  });

  it("fills a paper session's feed in, its strategy given by name", () => {
    const state = stateFromTemplate({
      type: "paper",
      config: { symbols: ["IBM"], strategy: "buy_and_hold", initial_cash: "5000", feed: { type: "synthetic", seed: 7, interval_seconds: 2 } },
    });
    expect(state.kind).toBe("paper");
    expect(state.strategy).toBe("buy_and_hold");
    expect(state.symbols).toEqual(["IBM"]);
    expect(state.initialCash).toBe("5000");
    expect(state.feed).toMatchObject({ type: "synthetic", seed: "7", intervalSeconds: "2" });
  });
});
