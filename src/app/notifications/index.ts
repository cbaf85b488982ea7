export {
  type EnqueueResult,
  enqueueNotification,
  enqueueNotifications,
  type NotificationRequest,
} from "./enqueue-notification.js";
export {
  type ChannelConfigurationError,
  type ChannelsOutcome,
  configuredChannels,
  type NotificationChannels,
  notificationChannelsFromEnvironment,
} from "./notification-channels.js";
export { type ReplayOutcome, replayDead, replayNotification } from "./replay-notification.js";
export {
  defaultToleranceSeconds,
  type SignatureCheck,
  signWebhook,
  verifyWebhookSignature,
  webhookHeaders,
} from "./webhook-signature.js";
