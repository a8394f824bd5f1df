// nft(8) from Debian's `nftables` package (from the configured apt mirror only), for the local workspace driver's
// egress firewall. Only the binary is used: the package's system service and its ruleset file are never loaded.
import { ensureDebianTool, systemInstaller, type DebianInstaller } from './debian-package';

export const NFT_PATH = '/usr/sbin/nft';

/**
 * The path of nft, installing Debian's `nftables` package with apt-get first when it is missing (as root, or
 * through passwordless sudo). Throws saying what to run otherwise.
 */
export async function ensureNftables(installer: DebianInstaller = systemInstaller): Promise<string> {
  await ensureDebianTool({ name: 'nftables', pkg: 'nftables', binaries: [NFT_PATH], versionPattern: /^nftables v\d/ }, installer);
  return NFT_PATH;
}
