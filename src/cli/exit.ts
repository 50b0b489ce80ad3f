/** Exit code for every error; gates choose their own (never this one). */
export const EXIT_ERROR = 2;
