export interface DeliveredMessage {
	id: string;
	timestamp: number;
	attempts: number;
	body: unknown;
}

export interface DeliveryResult {
	outcome: string;
	ackAll: boolean;
	retryBatch: { retry: boolean; delaySeconds?: number };
	explicitAcks: string[];
	retryMessages: { msgId: string; delaySeconds?: number }[];
}

export function deliverBatch<E>(
	handler: { queue(batch: MessageBatch<unknown>, env: E, ctx: ExecutionContext): unknown },
	env: E,
	ctx: ExecutionContext,
	queue: string,
	messages: DeliveredMessage[]
): Promise<DeliveryResult>;
