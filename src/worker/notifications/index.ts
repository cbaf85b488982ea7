export { bossDatabase } from "./boss-database.js";
export {
  emailMessage,
  type OutboxNotification,
  slackMessage,
  webhookRequest,
} from "./channel-messages.js";
export { type DeliveryJob, relayPendingNotifications } from "./relay.js";
export {
  type Delivery,
  type DeliveryOptions,
  deliveryQueues,
  type StartDeliveryOutcome,
  startDelivery,
} from "./start-delivery.js";
