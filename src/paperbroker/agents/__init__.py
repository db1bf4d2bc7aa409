"""Trading agents: a session's pipeline of data, sentiment, strategy, risk and execution
agents, talking only through the session's bus."""

from paperbroker.agents.base import Agent, AgentConfig
from paperbroker.agents.bus import Bus, Topic
from paperbroker.agents.lifecycle import AGENT_TRANSITIONS, AgentStatus

__all__ = ["AGENT_TRANSITIONS", "Agent", "AgentConfig", "AgentStatus", "Bus", "Topic"]
