import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { broker } from "../pages/live/testData";
import { BrokerMarker, brokerName } from "./BrokerMarker";

describe("BrokerMarker", () => {
  it("marks real money in words, red", () => {
    render(<BrokerMarker session={{ real_money: true, broker: broker({ endpoint: "live", base_url: null }) }} />);
    const chip = screen.getByText("REAL MONEY").closest(".MuiChip-root");
    expect(chip?.className).toMatch(/colorError/);
    expect(chip).toHaveAttribute("title", "Trades real money at Alpaca live");
  });

  it("names the broker of a live session that is not real money, and nothing for the others", () => {
    const { container, rerender } = render(<BrokerMarker session={{ real_money: false, broker: broker({ endpoint: "paper", base_url: null }) }} />);
    expect(screen.getByText("Alpaca paper")).toBeInTheDocument();
    expect(screen.queryByText("REAL MONEY")).toBeNull();
    rerender(<BrokerMarker session={{ real_money: false, broker: null }} />);
    expect(container).toBeEmptyDOMElement();
  });

  it("names a custom broker by its host", () => {
    expect(brokerName(broker())).toBe("Alpaca API at 127.0.0.1:5001");
    expect(brokerName(broker({ base_url: "not a url" }))).toBe("Alpaca API at not a url");
  });
});
