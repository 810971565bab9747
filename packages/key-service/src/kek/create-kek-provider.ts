import type { KekConfig } from '../config/key-service-config.js';
import { AwsKmsKek } from './aws-kms-kek.js';
import type { KekProvider } from './kek-provider.js';
import { LocalKeyRing } from './local-key-ring.js';

export async function createKekProvider(config: KekConfig): Promise<KekProvider> {
  if (config.provider === 'local') return LocalKeyRing.fromFile(config.file);
  return new AwsKmsKek({
    keyIds: config.keyIds,
    region: config.region,
    endpoint: config.endpoint,
    minimumDecryptionVersion: config.minimumDecryptionVersion,
  });
}
