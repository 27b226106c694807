import { LAMBDA_MEMORY_GB, prices } from './prices';
import type { PerMessage } from './outbound-and-notifier';

export interface CostLine {
  flow: string;
  dynamoUsd: number;
  lambdaUsd: number;
  snsUsd: number;
  apiUsd: number;
  eventBridgeUsd: number;
  totalUsd: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Cost per million messages from measured capacity and wall time. Lambda time is the wall time
 * measured against DynamoDB Local on this machine, so an upper estimate for the deployed system.
 * Carrier and provider SMS fees are not included.
 */
export function costPerMillion(flow: string, parts: { capacity: PerMessage[]; lambdaInvocations: number; snsPublishes: number; viaHttpApi: boolean; crmEvents?: number }): CostLine {
  const million = 1_000_000;
  const read = parts.capacity.reduce((s, p) => s + p.readUnits, 0);
  const write = parts.capacity.reduce((s, p) => s + p.writeUnits, 0);
  const seconds = parts.capacity.reduce((s, p) => s + p.latencyMs, 0) / 1000;
  const dynamoUsd = read * prices.dynamoReadRequestUnitPerMillion + write * prices.dynamoWriteRequestUnitPerMillion;
  const lambdaUsd = seconds * LAMBDA_MEMORY_GB * prices.lambdaArmGbSecond * million + parts.lambdaInvocations * prices.lambdaRequestPerMillion;
  const snsUsd = parts.snsPublishes * prices.snsPublishPerMillion;
  const apiUsd = parts.viaHttpApi ? prices.httpApiRequestPerMillion : 0;
  const eventBridgeUsd = (parts.crmEvents ?? 0) * prices.eventBridgeEventPerMillion;
  return { flow, dynamoUsd: round(dynamoUsd), lambdaUsd: round(lambdaUsd), snsUsd: round(snsUsd), apiUsd: round(apiUsd), eventBridgeUsd: round(eventBridgeUsd), totalUsd: round(dynamoUsd + lambdaUsd + snsUsd + apiUsd + eventBridgeUsd) };
}

/** MMS copies per million files of a given size: the PUTs once, storage per month kept, one download each. */
export function mmsCostPerMillion(averageKb: number) {
  const million = 1_000_000;
  const gb = (averageKb * million) / (1024 * 1024);
  return {
    averageKb,
    storedGb: round(gb),
    putUsd: round((million / 1000) * prices.s3PutPerThousand),
    storageUsdPerMonth: round(gb * prices.s3StandardGbMonth),
    downloadUsd: round((million / 1000) * prices.s3GetPerThousand),
  };
}

/**
 * Outbound MMS per million messages of one file: the browser's upload (a POST, billed as a PUT), the send's
 * first-bytes read (a ranged GET) and copy under the message (a COPY, billed as a PUT), the provider's fetch (one
 * GET), one download by a seller (one GET); the upload's copy is kept a day, the message's for the retention
 * period. Provider fees in their own columns: per message, US, before carriers' pass-through fees.
 */
export function outboundMmsCostPerMillion(averageKb: number) {
  const million = 1_000_000;
  const gb = (averageKb * million) / (1024 * 1024);
  // PUTs: the browser's upload, the copy under the message. GETs: the upload's check, the copy's check (what is sent
  // is what is checked), the provider's fetch, one download. The used upload's DELETE is free.
  const puts = 2;
  const gets = 4;
  const s3RequestsUsd = (million / 1000) * (puts * prices.s3PutPerThousand + gets * prices.s3GetPerThousand);
  return {
    averageKb,
    s3RequestsUsd: round(s3RequestsUsd),
    uploadsForADayUsd: round((gb * prices.s3StandardGbMonth) / 30),
    storageUsdPerMonth: round(gb * prices.s3StandardGbMonth),
    twilioFeesUsd: round(million * prices.twilioMmsUsPerMessage),
    eumFeesUsd: round(million * prices.eumMmsUsPerMessage),
  };
}
