import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";

import { AgentCard, type AgentCardProps } from "./AgentCard";

export type AgentNodeData = AgentCardProps & Record<string, unknown>;
export type AgentFlowNode = Node<AgentNodeData, "agent">;

/** An agent's card in the graph: messages come in on the left and leave on the right. */
export function AgentNode({ data }: NodeProps<AgentFlowNode>) {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <AgentCard agent={data.agent} now={data.now} score={data.score} onLogs={data.onLogs} locked={data.locked} />
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </>
  );
}
