export const id = 988;
export const ids = [988];
export const modules = {

/***/ 58988:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GitHubArtifactStore: () => (/* binding */ GitHubArtifactStore)
/* harmony export */ });
/* harmony import */ var _actions_artifact__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(67458);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(83916);
/**
 * Artifacts in the workflow run, through the official client, so they look and download
 * exactly like those of actions/upload-artifact.
 */


class GitHubArtifactStore {
    env;
    options;
    description = "the workflow run's artifacts";
    client = new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9();
    /** Names this step has uploaded: only those may be deleted to make room for a newer one. */
    uploadedNames;
    constructor(env, options) {
        this.env = env;
        this.options = options;
        this.uploadedNames = new Set(options.ownedNames);
    }
    /**
     * Artifacts cannot be changed once finalized, and a second one of the same name is refused,
     * so a newer version replaces the one this step uploaded before.
     */
    async upload(request) {
        if (this.uploadedNames.has(request.name))
            await this.deleteIfPresent(request.name);
        const response = await this.client
            .uploadArtifact(request.name, [...request.files], request.rootDirectory, {
            retentionDays: this.options.retentionDays,
            compressionLevel: this.options.compressionLevel
        })
            .catch((error) => {
            throw explainConflict(request.name, error);
        });
        if (response.id === undefined)
            throw new Error('the artifact service returned no artifact id');
        this.uploadedNames.add(request.name);
        return { id: response.id, size: response.size ?? 0, url: this.pageOf(response.id) };
    }
    async deleteIfPresent(name) {
        try {
            await this.client.deleteArtifact(name);
        }
        catch (error) {
            if (!(error instanceof _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .ArtifactNotFoundError */ .CL))
                throw error;
        }
    }
    /** The artifact's page, as actions/upload-artifact reports it. */
    pageOf(id) {
        const server = this.env.GITHUB_SERVER_URL || 'https://github.com';
        const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = this.env;
        return `${server}/${repository}/actions/runs/${runId}/artifacts/${id}`;
    }
}
/** A 409 means the name is taken in this run, usually by another job of a matrix. */
function explainConflict(name, error) {
    if (!(error instanceof Error) || !/\(409\)|Conflict/.test(error.message))
        return error;
    return new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ArtifactNameTakenError */ .n(`${error.message}. Another job or step of this workflow run already uploaded an ` +
        `artifact named '${name}': give each job its own artifact-name (for a matrix, include ` +
        'the matrix values in it).', { cause: error });
}


/***/ })

};
