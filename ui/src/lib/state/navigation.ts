// The app's screens, in sidebar order.
export const SCREENS = [
  { id: "create", label: "Create", icon: "create" },
  { id: "styles", label: "Styles", icon: "styles" },
  { id: "library", label: "Library", icon: "library" },
  { id: "batches", label: "Batches", icon: "film" },
  { id: "sessions", label: "Sessions", icon: "sparkle" },
  { id: "settings", label: "Settings", icon: "settings" },
] as const;

export type ScreenId = (typeof SCREENS)[number]["id"];
