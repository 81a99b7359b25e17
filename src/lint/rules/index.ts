/** Rule functions by id; the metadata for each id is in `../pack.ts`. */
import type { Rule } from '../types.js';
import { autologon } from './autologon.js';
import { sealBundleconfigPlugin } from './seal-bundleconfig-plugin.js';
import { sealDirectSysprep } from './seal-direct-sysprep.js';
import { sealEc2configWait } from './seal-ec2config-wait.js';
import { sealEc2launchV2Sequence } from './seal-ec2launch-v2-sequence.js';
import { sealEmbeddedAgentConfig } from './seal-embedded-agent-config.js';
import { sealHereStringExpansion } from './seal-here-string-expansion.js';
import { sealV1ScheduleOrder } from './seal-v1-schedule-order.js';
import { localAccountGroup } from './local-account-group.js';
import { localeName } from './locale-name.js';
import { timeZone } from './time-zone.js';
import { agentConfigPlaintextPassword } from './agent-config-plaintext-password.js';
import { agentConfigStructure } from './agent-config-structure.js';
import { agentConfigTaskDuplicate } from './agent-config-task-duplicate.js';
import { agentConfigTaskInputs } from './agent-config-task-inputs.js';
import { agentConfigTaskStage } from './agent-config-task-stage.js';
import { agentConfigTaskUnknown } from './agent-config-task-unknown.js';
import { componentArchitecture } from './component-architecture.js';
import { componentAttributes } from './component-attributes.js';
import { componentPass } from './component-pass.js';
import { componentClientOnly } from './component-client-only.js';
import { componentUnknown } from './component-unknown.js';
import { computerName } from './computer-name.js';
import { copyProfile } from './copy-profile.js';
import { deprecatedSetting } from './deprecated-setting.js';
import { ec2AgentRequirements } from './ec2-agent-requirements.js';
import { ec2configBundleProperties } from './ec2config-bundle-properties.js';
import { ec2configStructure } from './ec2config-structure.js';
import { jsonSyntax } from './json-syntax.js';
import { launchConfigKeys } from './launch-config-keys.js';
import { launchConfigPassword } from './launch-config-password.js';
import { listItems } from './list-items.js';
import { nonAscii } from './non-ascii.js';
import { pantherCacheSecrets } from './panther-cache-secrets.js';
import { passwordEncoding } from './password-encoding.js';
import { plaintextPassword } from './plaintext-password.js';
import { settingPass } from './setting-pass.js';
import { settingUnknown } from './setting-unknown.js';
import { settingValue } from './setting-value.js';
import { unattendDuplicate } from './unattend-duplicate.js';
import { unattendNamespace } from './unattend-namespace.js';
import { unattendPassName } from './unattend-pass-name.js';
import { unattendWcmNamespace } from './unattend-wcm-namespace.js';
import { xmlWellFormed } from './xml-well-formed.js';
import { yamlSyntax } from './yaml-syntax.js';

/** Every rule function, keyed by the id its pack entry carries. */
export const RULES: Readonly<Record<string, Rule>> = {
  'xml-well-formed': xmlWellFormed,
  'unattend-namespace': unattendNamespace,
  'unattend-wcm-namespace': unattendWcmNamespace,
  'unattend-pass-name': unattendPassName,
  'component-attributes': componentAttributes,
  'component-architecture': componentArchitecture,
  'component-unknown': componentUnknown,
  'component-client-only': componentClientOnly,
  'component-pass': componentPass,
  'unattend-duplicate': unattendDuplicate,
  'setting-unknown': settingUnknown,
  'setting-pass': settingPass,
  'setting-value': settingValue,
  'list-items': listItems,
  'computer-name': computerName,
  'time-zone': timeZone,
  'locale-name': localeName,
  'local-account-group': localAccountGroup,
  autologon,
  'non-ascii': nonAscii,
  'plaintext-password': plaintextPassword,
  'password-encoding': passwordEncoding,
  'deprecated-setting': deprecatedSetting,
  'ec2-agent-requirements': ec2AgentRequirements,
  'copy-profile': copyProfile,
  'panther-cache-secrets': pantherCacheSecrets,
  'yaml-syntax': yamlSyntax,
  'agent-config-structure': agentConfigStructure,
  'agent-config-task-unknown': agentConfigTaskUnknown,
  'agent-config-task-stage': agentConfigTaskStage,
  'agent-config-task-duplicate': agentConfigTaskDuplicate,
  'agent-config-task-inputs': agentConfigTaskInputs,
  'agent-config-plaintext-password': agentConfigPlaintextPassword,
  'json-syntax': jsonSyntax,
  'launch-config-keys': launchConfigKeys,
  'launch-config-password': launchConfigPassword,
  'ec2config-structure': ec2configStructure,
  'ec2config-bundle-properties': ec2configBundleProperties,
  'seal-v1-schedule-order': sealV1ScheduleOrder,
  'seal-bundleconfig-plugin': sealBundleconfigPlugin,
  'seal-ec2config-wait': sealEc2configWait,
  'seal-direct-sysprep': sealDirectSysprep,
  'seal-embedded-agent-config': sealEmbeddedAgentConfig,
  'seal-here-string-expansion': sealHereStringExpansion,
  'seal-ec2launch-v2-sequence': sealEc2launchV2Sequence,
};
