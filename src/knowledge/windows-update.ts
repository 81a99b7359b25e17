/**
 * Windows Update classifications and MSRC severities, as the Windows Update
 * Agent API names them. A classification is matched by its well-known GUID
 * (`CategoryIDs contains '<guid>'` in IUpdateSearcher criteria), which does
 * not depend on the display language.
 * Source: WSUS classification GUIDs (Microsoft Learn, "WSUS Classification
 * GUIDs", linked from "Manage additional Windows Update settings"); the same
 * GUIDs appear in public WUA scripts (find_string ids 59737040462, 70600954456).
 */

/** Classification → its GUID and English display name. */
export const UPDATE_CATEGORIES = {
  CriticalUpdates: { id: 'E6CF1350-C01B-414D-A61F-263D14D133B4', name: 'Critical Updates' },
  SecurityUpdates: { id: '0FA1201D-4330-4FA8-8AE9-B877473B6441', name: 'Security Updates' },
  DefinitionUpdates: { id: 'E0789628-CE08-4437-BE74-2495B842F43B', name: 'Definition Updates' },
  UpdateRollups: { id: '28BC880E-0592-4CBF-8F95-C79B17911D5F', name: 'Update Rollups' },
  Updates: { id: 'CD5FFD1E-E932-4E3A-BF74-18BF0B1BBD83', name: 'Updates' },
  ServicePacks: { id: '68C5B0A3-D1A6-4553-AE49-01D3A7827828', name: 'Service Packs' },
  FeaturePacks: { id: 'B54E7D24-7ADD-428F-8B75-90A396FA584F', name: 'Feature Packs' },
  Drivers: { id: 'EBFC1FC5-71A4-4F7B-9ACA-3B9A503104A0', name: 'Drivers' },
} as const;

export type UpdateCategory = keyof typeof UPDATE_CATEGORIES;
export const UPDATE_CATEGORY_NAMES = Object.keys(UPDATE_CATEGORIES) as [UpdateCategory, ...UpdateCategory[]];

/** IUpdate.MsrcSeverity values (empty for updates without a security rating). */
export const MSRC_SEVERITIES = ['Critical', 'Important', 'Moderate', 'Low'] as const;

/** OperationResultCode (wuapi.h): IUpdateInstallationResult.ResultCode. */
export const OPERATION_RESULT_CODES = ['NotStarted', 'InProgress', 'Succeeded', 'SucceededWithErrors', 'Failed', 'Aborted'] as const;

/** WU_E_INVALID_CRITERIA: "The search criteria string was invalid." (WUA Success and Error Codes). */
export const WU_E_INVALID_CRITERIA = 0x80240032;
/** WU_E_NO_UPDATE: "There are no updates." (WUA Success and Error Codes). */
export const WU_E_NO_UPDATE = 0x80240024;
/**
 * WU_E_PT_WINHTTP_NAME_NOT_RESOLVED: the proxy or target server name cannot be resolved
 * (WUA Success and Error Codes; WinHTTP's ERROR_WINHTTP_NAME_NOT_RESOLVED), what a search
 * answers when the WSUS server the policy names cannot be reached by name.
 */
export const WU_E_PT_WINHTTP_NAME_NOT_RESOLVED = 0x8024402c;

/**
 * The WSUS client policy winami writes (WSUS documentation, "Windows Update Agent environment
 * registry keys"): under `WindowsUpdate`, WUServer and WUStatusServer (REG_SZ, the server's HTTP(S)
 * URL), TargetGroup (REG_SZ) with TargetGroupEnabled (DWORD 1: client-side targeting); under
 * `WindowsUpdate\AU`, UseWUServer (DWORD 1: updates come from WUServer, which is ignored otherwise).
 */
export const WSUS_POLICY = {
  key: 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate',
  auKey: 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU',
  values: ['WUServer', 'WUStatusServer', 'TargetGroup', 'TargetGroupEnabled'],
  auValues: ['UseWUServer'],
} as const;

/**
 * IUpdateSearcher criteria for software updates not installed and not hidden
 * in any of `categories`: one parenthesized group per classification, joined
 * by `or` (the criteria grammar has no `in`).
 */
export function updateSearchCriteria(categories: readonly UpdateCategory[]): string {
  return categories.map((c) => `(IsInstalled=0 and IsHidden=0 and Type='Software' and CategoryIDs contains '${UPDATE_CATEGORIES[c].id}')`).join(' or ');
}
